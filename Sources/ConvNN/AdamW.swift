import ConvKit

/// Adam with decoupled weight decay as Keras defines it (`keras.optimizers.AdamW`, same defaults:
/// learning rate 1e-3, weight decay 0.004, beta1 0.9, beta2 0.999, epsilon 1e-7): before each Adam
/// step every weight shrinks, `w = w - w * weightDecay * learningRate` (not through the gradient,
/// unlike ``SGD``'s L2 `weightDecay`).
///
/// Keras: `AdamW(learning_rate=0.01, weight_decay=0.01)`; ConvNN: `AdamW(learningRate: 0.01, weightDecay: 0.01)`.
public final class AdamW: ScheduledOptimizer {
    public let learningRate: LearningRateSchedule, weightDecay: Float, beta1: Float, beta2: Float, epsilon: Float
    /// Keras' clipnorm, global_clipnorm and clipvalue.
    public let clipping: GradientClipping
    let adam: Adam

    public init(
        learningRate: LearningRateSchedule = 1e-3, weightDecay: Float = 0.004, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7,
        clipNorm: Float? = nil, globalClipNorm: Float? = nil, clipValue: Float? = nil
    ) {
        self.learningRate = learningRate
        clipping = GradientClipping(clipNorm: clipNorm, globalClipNorm: globalClipNorm, clipValue: clipValue)
        self.weightDecay = weightDecay
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        adam = Adam(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon)
    }

    public func update(_ parameters: [Parameter], step: Int) throws {
        try clipping.apply(to: parameters)
        let lr = learningRate.rate(atIteration: step - 1)
        for p in parameters {
            let w = p.value
            for i in w.indices { w[i] = w[i] - w[i] * weightDecay * lr }
        }
        try adam.update(parameters, step: step)
    }
}
