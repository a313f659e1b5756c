import Synchronization

/// Scratch memory that ConvKit kernels carve their temporary buffers from (packed weights,
/// padded images, lowered slices, per-chunk partial sums, layout conversions), 64-byte aligned.
///
/// Pass the same workspace to every call of a training or inference loop and the loop allocates
/// nothing after the first call: a call grows the workspace only when it needs more than it
/// holds. Each kernel type says how much a call needs (for example
/// ``Convolution/workspaceCount(for:)``). A workspace serves one call at a time: a call that
/// finds it in use by another (two threads sharing one workspace) throws instead of corrupting
/// the other's scratch data. Calls that pass none borrow one from a process-wide pool.
public final class Workspace: @unchecked Sendable {
    private var storage: UnsafeMutablePointer<Float>
    /// Floats the workspace holds now.
    public private(set) var capacity: Int
    /// Set while a call runs on this workspace.
    private let inUse = Atomic<Bool>(false)

    /// An empty workspace (it grows on demand).
    public init() {
        capacity = 16
        storage = Workspace.allocate(capacity)
    }

    /// A workspace holding `capacity` floats (it grows on demand).
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` when `capacity` is negative or
    ///   its size in bytes overflows `Int`.
    public convenience init(capacity: Int) throws {
        self.init()
        try reserve(capacity)
    }

    /// Makes the workspace hold at least `count` floats; the contents are not kept.
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` when `count` is negative or
    ///   its size in bytes overflows `Int`.
    public func reserve(_ count: Int) throws {
        guard count >= 0 else { throw ConvKitError.invalidArgument(name: "capacity", message: "must be >= 0, got \(count)") }
        guard count > capacity else { return }
        _ = try ConvKitError.checkedProduct("capacity", "bytes (floats x 4)", [count, MemoryLayout<Float>.stride])
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

    /// Runs `body` with `workspace`, or with one borrowed from the process-wide pool when nil,
    /// after growing it to `count` floats. The workspace is marked in use for the call.
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` naming `workspace` when another
    ///   call is using it, or the error of ``reserve(_:)``.
    static func using<R>(_ workspace: Workspace?, count: Int, _ body: (Workspace) throws -> R) throws -> R {
        let ws = workspace ?? pool.withLock { $0.popLast() } ?? Workspace()
        guard ws.inUse.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            throw ConvKitError.invalidArgument(
                name: "workspace",
                message: "is in use by another call running at the same time; a workspace serves one call at a time (give each thread its own)")
        }
        defer {
            ws.inUse.store(false, ordering: .releasing)
            if workspace == nil { pool.withLock { free in if free.count < 8 { free.append(ws) } } }
        }
        try ws.reserve(count)
        return try body(ws)
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
