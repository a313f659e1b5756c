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
