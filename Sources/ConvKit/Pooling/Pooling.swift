internal import ConvKitKernels

/// Shared machinery of the pooling kernels: the thread budget, NHWC work items and NCHW conversion.
enum PoolingRunner {
    /// Bytes a pass moves (input and output, indices included) per thread: two threads from 512 KB.
    /// A pooling pass is a single sweep at memory speed, so a small one takes a few microseconds,
    /// about what starting a parallel region costs: pool1 at batch 2 (350 KB) was slower on two
    /// threads, at batch 4 faster (`convbench pool --small-batches 1,2,4,8` times the CIFAR
    /// layers at small batches on 1 and 2 threads).
    static let minBytesPerThread = 256 * 1024

    /// The threads a pooling pass of `s` may use out of `budget` (1 inside a parallel region).
    static func threads(_ s: PoolingShape, indices: Bool, budget: Int) -> Int {
        let bytes = 4 * (s.inputCount + s.outputCount * (indices ? 2 : 1))
        return Parallel.availableThreads(min(budget, max(1, bytes / minBytesPerThread)))
    }

    /// One line naming a pooling pass's kernel and threads, for `describe()`.
    static func describe(_ kind: String, _ s: PoolingShape, _ context: ExecutionContext, kernel: String, indices: Bool) -> String {
        let t = threads(s, indices: indices, budget: context.threads)
        return "\(kind) \(s): \(kernel), \(t) thread\(t == 1 ? "" : "s") (budget \(context.threads), ISA \(context.isa))"
    }

    /// Max pooling input gradients of at least this many bytes are written with streaming
    /// (non-temporal) stores, which skip reading each line before overwriting it. A gradient this
    /// large takes half or more of a typical last-level cache (32 MiB on a server part), so the
    /// 25.7 MB one of `convbench pool --cases 112` gains from skipping the reads; smaller ones stay
    /// in cache for the layer below, which reads them next.
    static let streamingMinBytes = 16 << 20

    /// Whether max pooling backward writes the input gradient with streaming stores: NHWC only (an
    /// NCHW gradient is computed into the workspace and read back at once by the layout conversion).
    static func streamsGradient(_ s: PoolingShape) -> Bool {
        s.layout == .nhwc && s.inputCount * MemoryLayout<Float>.size >= streamingMinBytes
    }

    /// Floats of workspace a call needs (NCHW conversions only).
    static func workspaceCount(_ s: PoolingShape, indices: Bool) -> Int {
        s.layout == .nhwc ? 0 : roundUp(s.inputCount, 16) + roundUp(s.outputCount, 16) * (indices ? 2 : 1)
    }

    /// Runs `body(source, destination)` on NHWC buffers: for an NCHW shape, `source` (planes of
    /// `sourceSpatial` floats) is converted into the workspace first and the NHWC result is
    /// converted into `destination` (planes of `destinationSpatial` floats) afterwards.
    static func inNHWC(
        _ s: PoolingShape, workspace: Workspace?, source: UnsafePointer<Float>, sourceSpatial: Int,
        destination: UnsafeMutablePointer<Float>, destinationSpatial: Int,
        _ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void
    ) throws {
        guard s.layout == .nchw else {
            // A given workspace is still marked in use, so that sharing it between threads is caught.
            if let workspace { return try Workspace.using(workspace, count: 0) { _ in body(source, destination) } }
            return body(source, destination)
        }
        let n = s.batch, c = s.channels
        try Workspace.using(workspace, count: workspaceCount(s, indices: false)) { ws in
            var layout = ScratchLayout(base: ws.baseAddress)
            let src = layout.take(n * c * sourceSpatial), dst = layout.take(n * c * destinationSpatial)
            LayoutConversion.toNHWC(source, n: n, c: c, spatial: sourceSpatial, into: src)
            body(UnsafePointer(src), dst)
            LayoutConversion.toNCHW(UnsafePointer(dst), n: n, c: c, spatial: destinationSpatial, into: destination)
        }
    }

    static func check(_ name: String, _ count: Int, _ expected: Int, _ s: PoolingShape) throws {
        guard count == expected else {
            throw ConvKitError.invalidArgument(name: name, message: "has \(count) elements but the pooling shape \(s) needs \(expected)")
        }
    }
}
