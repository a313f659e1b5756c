internal import ConvKitKernels

/// Shared machinery of the pooling kernels: NHWC work items and NCHW conversion.
enum PoolingRunner {
    /// Output rows per forward work item (whole images when the batch gives the threads enough).
    static func bandRows(_ s: PoolingShape, threads: Int) -> Int {
        let bands = min(s.outputHeight, max(1, ceilDiv(4 * threads, s.batch)))
        return ceilDiv(s.outputHeight, bands)
    }

    /// Runs `body(image, oh0, oh1)` over bands of output rows of every image, in parallel.
    static func forEachBand(_ s: PoolingShape, threads: Int, _ body: (Int, Int, Int) -> Void) {
        let band = bandRows(s, threads: threads), bands = ceilDiv(s.outputHeight, band)
        Parallel.forEach(s.batch * bands, threads: threads) { item in
            let n = item / bands, oh0 = (item % bands) * band
            body(n, oh0, min(s.outputHeight, oh0 + band))
        }
    }

    /// Input rows per backward work item (whole images when the batch gives the threads enough).
    static func inputBandRows(_ s: PoolingShape, threads: Int) -> Int {
        let bands = min(s.inputHeight, max(1, ceilDiv(4 * threads, s.batch)))
        return ceilDiv(s.inputHeight, bands)
    }

    /// The number of work items of ``forEachInputBand(_:threads:_:)``.
    static func inputBandCount(_ s: PoolingShape, threads: Int) -> Int {
        s.batch * ceilDiv(s.inputHeight, inputBandRows(s, threads: threads))
    }

    /// Runs `body(item, image, y0, y1)` over bands of input rows of every image, in parallel
    /// (backward passes: each work item writes its own rows of the input gradient).
    static func forEachInputBand(_ s: PoolingShape, threads: Int, _ body: (Int, Int, Int, Int) -> Void) {
        let band = inputBandRows(s, threads: threads), count = ceilDiv(s.inputHeight, band)
        Parallel.forEach(s.batch * count, threads: threads) { item in
            let n = item / count, y0 = (item % count) * band
            body(item, n, y0, min(s.inputHeight, y0 + band))
        }
    }

    /// Input gradients of at least this many bytes are written with streaming (non-temporal)
    /// stores: larger than the last-level cache, they would not stay in it anyway, and streaming
    /// stores skip reading each line before overwriting it. (Smaller ones stay in cache for the
    /// layer below, which reads them next.)
    static let streamingMinBytes = 16 << 20

    /// Floats of workspace a call needs (NCHW conversions only).
    static func workspaceCount(_ s: PoolingShape, indices: Bool) -> Int {
        s.layout == .nhwc ? 0 : roundUp(s.inputCount, 16) + roundUp(s.outputCount, 16) * (indices ? 2 : 1)
    }

    /// Runs `body(source, destination)` on NHWC buffers: for an NCHW shape, `source` (planes of
    /// `sourceSpatial` floats) is converted into the workspace first and the NHWC result is
    /// converted into `destination` (planes of `destinationSpatial` floats) afterwards.
    static func inNHWC(_ s: PoolingShape, workspace: Workspace?, source: UnsafePointer<Float>, sourceSpatial: Int,
                       destination: UnsafeMutablePointer<Float>, destinationSpatial: Int,
                       _ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) {
        guard s.layout == .nchw else { return body(source, destination) }
        let n = s.batch, c = s.channels
        Workspace.using(workspace) { ws in
            ws.reserve(workspaceCount(s, indices: false))
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
