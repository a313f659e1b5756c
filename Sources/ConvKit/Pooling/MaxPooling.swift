internal import ConvKitKernels

/// 2-D max pooling, forward and backward, NHWC (native) or NCHW.
///
/// Forward for training records for each output element the flat input position `y * W + x` of
/// its maximum (per image and channel, in the layout of the output), so backward is a scatter.
/// Ties choose the first element in row-major window order; NaN propagates (a window holding
/// NaN yields NaN; as in PyTorch, a NaN replaces the maximum so far, so the last NaN is recorded). Padding never wins: windows take the maximum over their input elements only.
public struct MaxPooling: Sendable {
    public let shape: PoolingShape
    public let context: ExecutionContext

    /// - Throws: the errors of ``ExecutionContext/fromEnvironment()`` when `context` is nil.
    public init(shape: PoolingShape, context: ExecutionContext? = nil) throws {
        self.shape = shape
        self.context = try context ?? ExecutionContext.fromEnvironment()
    }

    /// Floats of workspace a call needs (non-zero for NCHW only).
    public var workspaceCount: Int { PoolingRunner.workspaceCount(shape, indices: true) }

    /// The kernel and the threads the passes run: `max pooling n64 h30 ...: ck_f32_maxpool_nhwc__avx2, 2 threads ...`.
    public func describe() -> String {
        PoolingRunner.describe(
            "max pooling", shape, context, kernel: context.kernels.pooling.name.replacingOccurrences(of: "*", with: "max"),
            indices: true)
    }

    /// `output` (outputCount floats) := window maxima of `input` (inputCount floats); `indices`
    /// (outputCount, optional: inference skips it) := their input positions.
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` for a buffer of the wrong length.
    public func forward(
        input: UnsafeBufferPointer<Float>, output: UnsafeMutableBufferPointer<Float>,
        indices: UnsafeMutableBufferPointer<Int32>?, workspace: Workspace? = nil
    ) throws {
        let s = shape
        try PoolingRunner.check("input", input.count, s.inputCount, s)
        try PoolingRunner.check("output", output.count, s.outputCount, s)
        if let indices { try PoolingRunner.check("indices", indices.count, s.outputCount, s) }
        try ConvKitError.requireDisjoint(("output", UnsafeRawBufferPointer(output)), from: ("input", UnsafeRawBufferPointer(input)))
        if let indices {
            try ConvKitError.requireDisjoint(
                ("indices", UnsafeRawBufferPointer(indices)),
                from: ("input", UnsafeRawBufferPointer(input)), ("output", UnsafeRawBufferPointer(output)))
        }
        let threads = PoolingRunner.threads(s, indices: indices != nil, budget: context.threads)
        let kernels = context.kernels.pooling
        try Workspace.using(workspace, count: workspaceCount) { ws in
            var layout = ScratchLayout(base: ws.baseAddress)
            let nchw = s.layout == .nchw
            let hw = s.inputHeight * s.inputWidth, ohw = s.outputHeight * s.outputWidth
            let x = layout.take(nchw ? s.inputCount : 0), y = layout.take(nchw ? s.outputCount : 0)
            let idxScratch = UnsafeMutableRawPointer(layout.take(nchw ? s.outputCount : 0)).bindMemory(to: Int32.self, capacity: s.outputCount)
            if nchw { LayoutConversion.toNHWC(input.baseAddress!, n: s.batch, c: s.channels, spatial: hw, into: x) }
            let src = nchw ? UnsafePointer(x) : input.baseAddress!
            let dst = nchw ? y : output.baseAddress!
            let idx: UnsafeMutablePointer<Int32>? = indices == nil ? nil : (nchw ? idxScratch : indices!.baseAddress!)
            let args = UncheckedSendableBox((src, dst, idx))
            let d = s.descriptor, c = s.channels
            RowBands(rows: s.outputHeight, images: s.batch, threads: threads).forEach(threads: threads) { _, n, oh0, oh1 in
                let (src, dst, idx) = args.value
                kernels.maxForward(
                    src + n * hw * c, s.inputHeight, s.inputWidth, c, oh0, oh1, s.outputWidth,
                    d.windowHeight, d.windowWidth, d.strideY, d.strideX, s.padTop, s.padLeft,
                    dst + n * ohw * c, idx.map { $0 + n * ohw * c })
            }
            if nchw {
                LayoutConversion.toNCHW(UnsafePointer(y), n: s.batch, c: c, spatial: ohw, into: output.baseAddress!)
                if let indices { LayoutConversion.toNCHW(UnsafePointer(idxScratch), n: s.batch, c: c, spatial: ohw, into: indices.baseAddress!) }
            }
        }
    }

    /// `inputGradient` := each `outputGradient` element added at its recorded maximum, onto zero
    /// (overlapping windows accumulate, in ascending output order). Computed as a gather over
    /// the input, which writes every input-gradient element once and never reads it. `indices` are those of ``forward(input:output:indices:workspace:)``.
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` for a buffer of the wrong length or
    ///   an index outside its window (checked during the pass, at no extra memory traffic;
    ///   `inputGradient` is then unspecified).
    public func backward(
        outputGradient: UnsafeBufferPointer<Float>, indices: UnsafeBufferPointer<Int32>,
        inputGradient: UnsafeMutableBufferPointer<Float>, workspace: Workspace? = nil
    ) throws {
        let s = shape
        try PoolingRunner.check("outputGradient", outputGradient.count, s.outputCount, s)
        try PoolingRunner.check("indices", indices.count, s.outputCount, s)
        try PoolingRunner.check("inputGradient", inputGradient.count, s.inputCount, s)
        try ConvKitError.requireDisjoint(
            ("inputGradient", UnsafeRawBufferPointer(inputGradient)),
            from: ("outputGradient", UnsafeRawBufferPointer(outputGradient)),
            ("indices", UnsafeRawBufferPointer(indices)))
        let hw = s.inputHeight * s.inputWidth, ohw = s.outputHeight * s.outputWidth, c = s.channels
        let threads = PoolingRunner.threads(s, indices: true, budget: context.threads)
        let kernels = context.kernels.pooling
        var matched = 0
        try Workspace.using(workspace, count: workspaceCount) { ws in
            var layout = ScratchLayout(base: ws.baseAddress)
            let nchw = s.layout == .nchw
            let dx = layout.take(nchw ? s.inputCount : 0), dy = layout.take(nchw ? s.outputCount : 0)
            let idxScratch = UnsafeMutableRawPointer(layout.take(nchw ? s.outputCount : 0)).bindMemory(to: Int32.self, capacity: s.outputCount)
            if nchw {
                LayoutConversion.toNHWC(outputGradient.baseAddress!, n: s.batch, c: c, spatial: ohw, into: dy)
                LayoutConversion.toNHWC(indices.baseAddress!, n: s.batch, c: c, spatial: ohw, into: idxScratch)
            }
            let g = nchw ? UnsafePointer(dy) : outputGradient.baseAddress!
            let idx = nchw ? UnsafePointer(idxScratch) : indices.baseAddress!
            let out = nchw ? dx : inputGradient.baseAddress!
            let args = UncheckedSendableBox((g, idx, out))
            let d = s.descriptor
            let streaming: Int32 = PoolingRunner.streamsGradient(s) ? 1 : 0
            let bands = RowBands(rows: s.inputHeight, images: s.batch, threads: threads)
            matched = withUnsafeTemporaryAllocation(of: Int.self, capacity: bands.count) { counts in
                let slots = UncheckedSendableBox(counts.baseAddress!)
                bands.forEach(threads: threads) { item, n, y0, y1 in
                    let (g, idx, out) = args.value
                    slots.value[item] = kernels.maxBackward(
                        g + n * ohw * c, idx + n * ohw * c, s.outputHeight, s.outputWidth, c, out + n * hw * c,
                        s.inputHeight, s.inputWidth, y0, y1, d.windowHeight, d.windowWidth, d.strideY, d.strideX,
                        s.padTop, s.padLeft, streaming)
                }
                return counts.reduce(0, +)
            }
            if nchw { LayoutConversion.toNCHW(UnsafePointer(dx), n: s.batch, c: c, spatial: hw, into: inputGradient.baseAddress!) }
        }
        // Every index lying in its own window is matched exactly once by the gather.
        if matched != s.outputCount { throw misplacedIndex(indices, matched: matched) }
    }

    /// The error for indices that do not lie in their own windows (they cannot come from forward),
    /// naming the first such element in the caller's layout.
    private func misplacedIndex(_ indices: UnsafeBufferPointer<Int32>, matched: Int) -> ConvKitError {
        let s = shape, d = s.descriptor
        let bad = s.outputCount - matched
        for (position, index) in indices.enumerated() {
            let (oy, ox): (Int, Int)
            let spatial = s.layout == .nhwc ? position / s.channels : position
            (oy, ox) = ((spatial / s.outputWidth) % s.outputHeight, spatial % s.outputWidth)
            let y0 = oy * d.strideY - s.padTop, x0 = ox * d.strideX - s.padLeft
            let y = Int(index) / max(1, s.inputWidth), x = Int(index) % max(1, s.inputWidth)
            let inImage = index >= 0 && Int(index) < s.inputHeight * s.inputWidth
            if !inImage || y < y0 || y >= y0 + d.windowHeight || x < x0 || x >= x0 + d.windowWidth {
                let place =
                    inImage
                    ? "input element (\(y), \(x)), outside the window of output (\(oy), \(ox))"
                    : "outside the \(s.inputHeight) x \(s.inputWidth) input"
                return ConvKitError.invalidArgument(
                    name: "indices", message: "element \(position) is \(index): \(place); indices must come from forward (\(bad) such elements)")
            }
        }
        return ConvKitError.invalidArgument(name: "indices", message: "\(bad) elements do not lie in their windows; indices must come from forward")
    }

    /// ``forward(input:output:indices:workspace:)`` on arrays (pass `indices: nil` for inference).
    public func forward(input: [Float], output: inout [Float], indices: inout [Int32]?, workspace: Workspace? = nil) throws {
        try input.withUnsafeBufferPointer { x in
            try output.withUnsafeMutableBufferPointer { y in
                if indices == nil {
                    try forward(input: x, output: y, indices: nil, workspace: workspace)
                } else {
                    try indices!.withUnsafeMutableBufferPointer { i in
                        try forward(input: x, output: y, indices: i, workspace: workspace)
                    }
                }
            }
        }
    }

    /// ``backward(outputGradient:indices:inputGradient:workspace:)`` on arrays.
    public func backward(outputGradient: [Float], indices: [Int32], inputGradient: inout [Float], workspace: Workspace? = nil) throws {
        try outputGradient.withUnsafeBufferPointer { g in
            try indices.withUnsafeBufferPointer { i in
                try inputGradient.withUnsafeMutableBufferPointer { d in
                    try backward(outputGradient: g, indices: i, inputGradient: d, workspace: workspace)
                }
            }
        }
    }
}
