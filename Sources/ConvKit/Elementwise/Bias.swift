internal import ConvKitKernels

/// Per-channel bias on row-major `rows x channels` data (NHWC activations: rows = N*H*W), and
/// its gradient, the channel sum (summed in ascending row order: the same bits for any thread
/// count). Convolution and dense layers fuse the forward into their epilogues.
public enum Bias {
    /// `data[r][c] += bias[c]`, then `activation` on each row while it is in cache (softmax over
    /// the row of `bias.count` channels; `alpha` as in ``ActivationKernel``).
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` when `data` is not a multiple of
    ///   `bias.count` long, or `alpha` is out of the activation's range.
    public static func add(
        _ bias: UnsafeBufferPointer<Float>, to data: UnsafeMutableBufferPointer<Float>,
        activation: Activation = .none, alpha: Float? = nil, context: ExecutionContext? = nil
    ) throws {
        let c = bias.count
        guard c > 0, data.count % c == 0 else {
            throw ConvKitError.invalidArgument(name: "data", message: "has \(data.count) elements, not a multiple of the \(c) channels of the bias")
        }
        let kernels = try (context ?? ExecutionContext.fromEnvironment()).kernels.elementwise
        if activation == .none || activation == .relu {
            kernels.biasReLU(data.count / c, c, data.baseAddress!, c, bias.baseAddress!, activation == .relu ? 1 : 0)
        } else {
            let a = try ActivationKernel.checkedAlpha(activation, alpha)
            kernels.biasActivation(data.count / c, c, data.baseAddress!, c, bias.baseAddress!, activation.kernelKind, a)
        }
    }

    /// `gradient[c] = sum over rows of outputGradient[r][c]`.
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` when `outputGradient` is not a
    ///   multiple of `gradient.count` long.
    public static func gradient(
        outputGradient: UnsafeBufferPointer<Float>, into gradient: UnsafeMutableBufferPointer<Float>, context: ExecutionContext? = nil
    ) throws {
        let c = gradient.count
        guard c > 0, outputGradient.count % c == 0 else {
            throw ConvKitError.invalidArgument(
                name: "outputGradient", message: "has \(outputGradient.count) elements, not a multiple of the \(c) channels of the gradient")
        }
        let kernels = try (context ?? ExecutionContext.fromEnvironment()).kernels.elementwise
        kernels.sumRows(outputGradient.count / c, c, outputGradient.baseAddress!, c, gradient.baseAddress!, 0)
    }
}
