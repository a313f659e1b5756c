import ConvKit

/// A layer whose output goes through an activation that the loss can fuse with (softmax with
/// categorical cross-entropy, sigmoid with binary cross-entropy): the loss then writes the
/// gradient with respect to the pre-activation, and the layer skips the activation's backward.
protocol OutputActivationFusing: Layer {
    var outputActivation: Activation { get }
    /// Set before each backward pass: whether the output gradient is already dL/dpre-activation.
    var outputGradientIsPreActivation: Bool { get set }
}

/// Applies an activation's backward pass in place on an output gradient (nothing for the identity).
enum ActivationGradient {
    static func apply(
        _ activation: Activation, alpha: Float? = nil, output: UnsafeBufferPointer<Float>,
        to dy: UnsafeMutableBufferPointer<Float>, channels: Int, context: ExecutionContext?
    ) throws {
        if activation == .none { return }
        if activation == .relu {
            return try ReLUKernel.backward(output: output, outputGradient: UnsafeBufferPointer(dy), inputGradient: dy, context: context)
        }
        try ActivationKernel.backward(
            activation, alpha: alpha, output: output, outputGradient: UnsafeBufferPointer(dy), inputGradient: dy,
            channels: channels, context: context)
    }
}

/// A layer whose output went through a ReLU and which can leave that ReLU's gradient mask to the
/// layer after it (``ReLUGradientAbsorbing``), so the mask is applied on a smaller tensor.
protocol ReLUGradientDeferring: Layer {
    /// Whether the layer's output is a ReLU's.
    var outputIsReLU: Bool { get }
    /// From now on, the backward pass skips the ReLU gradient mask: the next layer applies it.
    func deferReLUGradientToNextLayer()
}

/// A layer that can apply the previous layer's ReLU gradient mask exactly on its own output
/// gradient (max pooling: the gradient reaches only window maxima, where ReLU's output is the
/// pooled value).
protocol ReLUGradientAbsorbing: Layer {
    /// From now on, the backward pass first zeroes the output gradient where the output is <= 0.
    func applyPreviousReLUGradient()
}

enum LayerFusion {
    /// Pairs every ReLU-producing layer with a following layer that can apply its gradient mask
    /// (exact: the bits of training do not change, only where the mask is applied). Called once,
    /// when a model is built.
    static func fuseReLUGradients(_ layers: [any Layer]) {
        for (previous, next) in zip(layers, layers.dropFirst()) {
            guard let producer = previous as? any ReLUGradientDeferring, producer.outputIsReLU,
                let consumer = next as? any ReLUGradientAbsorbing
            else { continue }
            producer.deferReLUGradientToNextLayer()
            consumer.applyPreviousReLUGradient()
        }
    }
}
