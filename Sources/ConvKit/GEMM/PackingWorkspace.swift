import Synchronization

/// The buffers of one thread of a GEMM call: a packed block of A (`mc x kc`), of B (`kc x nc`),
/// and the split-K partial products, 64-byte aligned. Workspaces are kept in a pool and reused across calls, so a
/// GEMM call allocates only when it needs bigger buffers than any earlier call did.
final class PackingWorkspace: @unchecked Sendable {
    private(set) var a: UnsafeMutablePointer<Float>
    private(set) var b: UnsafeMutablePointer<Float>
    private(set) var partials: UnsafeMutablePointer<Float>
    private var aCapacity = 16
    private var bCapacity = 16
    private var partialsCapacity = 16

    init() {
        a = PackingWorkspace.allocate(16)
        b = PackingWorkspace.allocate(16)
        partials = PackingWorkspace.allocate(16)
    }

    /// Makes `partials` hold at least `count` floats (contents not kept).
    func reserve(partialsCount count: Int) {
        if count > partialsCapacity {
            UnsafeMutableRawPointer(partials).deallocate()
            partials = PackingWorkspace.allocate(count)
            partialsCapacity = count
        }
    }

    /// Makes `a` hold at least `aCount` floats and `b` at least `bCount` (contents not kept).
    func reserve(aCount: Int, bCount: Int) {
        if aCount > aCapacity {
            UnsafeMutableRawPointer(a).deallocate()
            a = PackingWorkspace.allocate(aCount)
            aCapacity = aCount
        }
        if bCount > bCapacity {
            UnsafeMutableRawPointer(b).deallocate()
            b = PackingWorkspace.allocate(bCount)
            bCapacity = bCount
        }
    }

    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: count)
    }

    deinit {
        UnsafeMutableRawPointer(a).deallocate()
        UnsafeMutableRawPointer(b).deallocate()
        UnsafeMutableRawPointer(partials).deallocate()
    }

    private static let pool = Mutex<[PackingWorkspace]>([])
    private static let maxPooled = 16

    /// Lends a workspace from the process-wide pool for the duration of `body`.
    static func withPooled<R>(_ body: (PackingWorkspace) throws -> R) rethrows -> R {
        let workspace = pool.withLock { $0.popLast() } ?? PackingWorkspace()
        defer {
            pool.withLock { free in
                if free.count < maxPooled { free.append(workspace) }
            }
        }
        return try body(workspace)
    }
}
