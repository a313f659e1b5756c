internal import ConvKitKernels

/// Every ``Activation``'s forward and backward pass on contiguous floats, on the elementwise
/// kernels of the context's ISA table. Work is cut into blocks of whole rows (of `channels`
/// floats, the last axis), so any thread count gives the same bits.
public enum ActivationKernel {
    /// Floats per parallel block.
    static let chunk = 1 << 16

    /// `output = f(input)`; `input` and `output` may be the same buffer.
    /// - Parameters:
    ///   - alpha: leaky ReLU's negative slope or ELU's alpha; nil takes ``Activation/defaultAlpha``.
    ///   - channels: the length of the last axis (softmax's rows); other kinds only check that
    ///     the count is a multiple of it.
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` when the lengths differ, are
    ///   not whole rows of `channels`, or alpha is out of the kind's range (leaky ReLU >= 0, ELU > 0).
    public static func forward(
        _ activation: Activation, alpha: Float? = nil, _ input: UnsafeBufferPointer<Float>,
        into output: UnsafeMutableBufferPointer<Float>, channels: Int, context: ExecutionContext? = nil
    ) throws {
        try checkSameCount(("input", input.count), ("output", output.count))
        let alpha = try checkedAlpha(activation, alpha)
        try checkRows(input.count, channels)
        let context = try context ?? ExecutionContext.fromEnvironment()
        let kernel = context.kernels.elementwise.activation, kind = activation.kernelKind
        try runRows(input.count / max(1, channels), channels, context) { r0, rows in
            kernel(kind, rows, channels, input.baseAddress! + r0 * channels, output.baseAddress! + r0 * channels, alpha)
        }
    }

    /// `inputGradient = outputGradient * f'(x)`, computed from the forward's `output` (every kind's
    /// derivative is a function of its output); `outputGradient` and `inputGradient` may be the
    /// same buffer.
    /// - Throws: as ``forward(_:alpha:_:into:channels:context:)``.
    public static func backward(
        _ activation: Activation, alpha: Float? = nil, output: UnsafeBufferPointer<Float>,
        outputGradient: UnsafeBufferPointer<Float>, inputGradient: UnsafeMutableBufferPointer<Float>, channels: Int,
        context: ExecutionContext? = nil
    ) throws {
        try checkSameCount(("output", output.count), ("outputGradient", outputGradient.count), ("inputGradient", inputGradient.count))
        let alpha = try checkedAlpha(activation, alpha)
        try checkRows(output.count, channels)
        let context = try context ?? ExecutionContext.fromEnvironment()
        let kernel = context.kernels.elementwise.activationBackward, kind = activation.kernelKind
        try runRows(output.count / max(1, channels), channels, context) { r0, rows in
            let o = r0 * channels
            kernel(kind, rows, channels, output.baseAddress! + o, outputGradient.baseAddress! + o, inputGradient.baseAddress! + o, alpha)
        }
    }

    /// The parameter a call with `alpha` uses (nil: ``Activation/defaultAlpha``).
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` when it is out of the kind's range.
    public static func checkedAlpha(_ activation: Activation, _ alpha: Float?) throws -> Float {
        let a = alpha ?? activation.defaultAlpha
        switch activation {
        case .leakyReLU where !(a >= 0 && a.isFinite):
            throw ConvKitError.invalidArgument(name: "negativeSlope", message: "must be finite and >= 0, got \(a)")
        case .elu where !(a > 0 && a.isFinite):
            throw ConvKitError.invalidArgument(name: "alpha", message: "must be finite and > 0, got \(a)")
        default: return a
        }
    }

    static func checkRows(_ count: Int, _ channels: Int) throws {
        guard channels >= 1, count % channels == 0 else {
            throw ConvKitError.invalidArgument(name: "channels", message: "must be >= 1 and divide the \(count) elements, got \(channels)")
        }
    }

    /// Runs `body(firstRow, rowCount)` over blocks of about ``chunk`` floats.
    static func runRows(_ rows: Int, _ channels: Int, _ context: ExecutionContext, _ body: (Int, Int) -> Void) throws {
        guard rows > 0 else { return }
        let per = max(1, chunk / channels), blocks = ceilDiv(rows, per)
        // Through a parallel region even for one block: the region sets the denormal mode.
        Parallel.forEach(blocks, threads: Parallel.availableThreads(context.threads)) { i in
            body(i * per, min(rows, (i + 1) * per) - i * per)
        }
    }
}
