internal import ConvKitKernels

/// 2-D average pooling, forward and backward, NHWC (native) or NCHW. The divisor follows
/// ``PoolingDescriptor/countIncludePadding``; backward spreads each gradient evenly under the
/// same divisor.
public struct AveragePooling: Sendable {
    public let shape: PoolingShape
    public let context: ExecutionContext

    /// - Throws: the errors of ``ExecutionContext/fromEnvironment()`` when `context` is nil.
    public init(shape: PoolingShape, context: ExecutionContext? = nil) throws {
        self.shape = shape
        self.context = try context ?? ExecutionContext.fromEnvironment()
    }

    /// Floats of workspace a call needs (non-zero for NCHW only).
    public var workspaceCount: Int { PoolingRunner.workspaceCount(shape, indices: false) }

    /// The kernel and the threads the passes run.
    public func describe() -> String {
        PoolingRunner.describe(
            "average pooling", shape, context, kernel: context.kernels.pooling.name.replacingOccurrences(of: "*", with: "avg"),
            indices: false)
    }

    /// `output` (outputCount floats) := window means of `input` (inputCount floats).
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` for a buffer of the wrong length.
    public func forward(
        input: UnsafeBufferPointer<Float>, output: UnsafeMutableBufferPointer<Float>,
        workspace: Workspace? = nil
    ) throws {
        let s = shape
        try PoolingRunner.check("input", input.count, s.inputCount, s)
        try PoolingRunner.check("output", output.count, s.outputCount, s)
        try ConvKitError.requireDisjoint(("output", UnsafeRawBufferPointer(output)), from: ("input", UnsafeRawBufferPointer(input)))
        let threads = PoolingRunner.threads(s, indices: false, budget: context.threads), kernels = context.kernels.pooling
        let d = s.descriptor, c = s.channels, hw = s.inputHeight * s.inputWidth, ohw = s.outputHeight * s.outputWidth
        try PoolingRunner.inNHWC(
            s, workspace: workspace, source: input.baseAddress!, sourceSpatial: hw,
            destination: output.baseAddress!, destinationSpatial: ohw
        ) { src, dst in
            RowBands(rows: s.outputHeight, images: s.batch, threads: threads).forEach(threads: threads) { _, n, oh0, oh1 in
                kernels.averageForward(
                    src + n * hw * c, s.inputHeight, s.inputWidth, c, oh0, oh1, s.outputWidth,
                    d.windowHeight, d.windowWidth, d.strideY, d.strideX, s.padTop, s.padLeft,
                    s.padBottom, s.padRight, d.countIncludePadding ? 1 : 0, dst + n * ohw * c)
            }
        }
    }

    /// `inputGradient` := the adjoint of forward applied to `outputGradient`.
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` for a buffer of the wrong length.
    public func backward(
        outputGradient: UnsafeBufferPointer<Float>, inputGradient: UnsafeMutableBufferPointer<Float>,
        workspace: Workspace? = nil
    ) throws {
        let s = shape
        try PoolingRunner.check("outputGradient", outputGradient.count, s.outputCount, s)
        try PoolingRunner.check("inputGradient", inputGradient.count, s.inputCount, s)
        try ConvKitError.requireDisjoint(
            ("inputGradient", UnsafeRawBufferPointer(inputGradient)),
            from: ("outputGradient", UnsafeRawBufferPointer(outputGradient)))
        let threads = PoolingRunner.threads(s, indices: false, budget: context.threads), kernels = context.kernels.pooling
        let d = s.descriptor, c = s.channels, hw = s.inputHeight * s.inputWidth, ohw = s.outputHeight * s.outputWidth
        try PoolingRunner.inNHWC(
            s, workspace: workspace, source: outputGradient.baseAddress!, sourceSpatial: ohw,
            destination: inputGradient.baseAddress!, destinationSpatial: hw
        ) { g, out in
            RowBands(rows: s.inputHeight, images: s.batch, threads: threads).forEach(threads: threads) { _, n, y0, y1 in
                kernels.averageBackward(
                    g + n * ohw * c, s.outputHeight, s.outputWidth, c, out + n * hw * c,
                    s.inputHeight, s.inputWidth, y0, y1, d.windowHeight, d.windowWidth, d.strideY, d.strideX,
                    s.padTop, s.padLeft, s.padBottom, s.padRight, d.countIncludePadding ? 1 : 0)
            }
        }
    }

    /// ``forward(input:output:workspace:)`` on arrays.
    public func forward(input: [Float], output: inout [Float], workspace: Workspace? = nil) throws {
        try input.withUnsafeBufferPointer { x in
            try output.withUnsafeMutableBufferPointer { y in try forward(input: x, output: y, workspace: workspace) }
        }
    }

    /// ``backward(outputGradient:inputGradient:workspace:)`` on arrays.
    public func backward(outputGradient: [Float], inputGradient: inout [Float], workspace: Workspace? = nil) throws {
        try outputGradient.withUnsafeBufferPointer { g in
            try inputGradient.withUnsafeMutableBufferPointer { d in try backward(outputGradient: g, inputGradient: d, workspace: workspace) }
        }
    }
}
