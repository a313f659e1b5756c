import Synchronization

/// Scratch memory that ConvKit kernels carve their temporary buffers from (packed weights,
/// padded images, lowered slices, per-chunk partial sums, layout conversions), 64-byte aligned.
///
/// Pass the same workspace to every call of a training or inference loop and the loop allocates
/// nothing after the first call: a call grows the workspace only when it needs more than it
/// holds. Each kernel type says how much a call needs (for example
/// ``Convolution/workspaceCount(for:)``). A workspace serves one call at a time; calls that
/// pass none borrow one from a process-wide pool.
public final class Workspace: @unchecked Sendable {
    private var storage: UnsafeMutablePointer<Float>
    /// Floats the workspace holds now.
    public private(set) var capacity: Int

    /// A workspace holding `capacity` floats (it grows on demand).
    public init(capacity: Int = 0) {
        self.capacity = max(16, capacity)
        storage = Workspace.allocate(self.capacity)
    }

    /// Makes the workspace hold at least `count` floats; the contents are not kept.
    public func reserve(_ count: Int) {
        guard count > capacity else { return }
        UnsafeMutableRawPointer(storage).deallocate()
        capacity = count
        storage = Workspace.allocate(count)
    }

    /// The first float, valid until the next ``reserve(_:)`` that grows the workspace.
    var baseAddress: UnsafeMutablePointer<Float> { storage }

    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: count)
    }

    deinit { UnsafeMutableRawPointer(storage).deallocate() }

    private static let pool = Mutex<[Workspace]>([])

    /// Runs `body` with `workspace`, or with one borrowed from the process-wide pool when nil.
    static func using<R>(_ workspace: Workspace?, _ body: (Workspace) throws -> R) rethrows -> R {
        if let workspace { return try body(workspace) }
        let borrowed = pool.withLock { $0.popLast() } ?? Workspace()
        defer { pool.withLock { free in if free.count < 8 { free.append(borrowed) } } }
        return try body(borrowed)
    }
}

/// Carves 64-byte aligned sub-buffers out of a region, or only counts their size when it has
/// no base (the same code sizes and lays out a workspace).
struct ScratchLayout {
    private(set) var count = 0
    private let base: UnsafeMutablePointer<Float>?

    /// Counting mode.
    init() { base = nil }
    /// Carving mode over a region of at least the counted size.
    init(base: UnsafeMutablePointer<Float>) { self.base = base }

    /// Reserves `floats` floats (rounded up to 16) and returns where they start
    /// (a dangling placeholder in counting mode).
    mutating func take(_ floats: Int) -> UnsafeMutablePointer<Float> {
        let start = count
        count += (max(0, floats) + 15) / 16 * 16
        return (base ?? ScratchLayout.placeholder) + (base == nil ? 0 : start)
    }

    nonisolated(unsafe) private static let placeholder = UnsafeMutablePointer<Float>.allocate(capacity: 16)
}
