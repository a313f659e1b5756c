import ConvKit

/// AdaGrad as Keras defines it (`keras.optimizers.Adagrad`, same defaults: learning rate 1e-3,
/// initial accumulator 0.1, epsilon 1e-7): `accumulator += g^2`, `w -= lr g / sqrt(accumulator +
/// epsilon)`, on ConvKit's ``ConvKit/OptimizerKernels/adagrad(weights:gradient:accumulator:learningRate:epsilon:context:)``.
///
/// Keras: `Adagrad(learning_rate=0.01)`; ConvNN: `Adagrad(learningRate: 0.01)`.
public final class Adagrad: ScheduledOptimizer {
    public let learningRate: LearningRateSchedule, initialAccumulatorValue: Float, epsilon: Float
    /// Keras' clipnorm, global_clipnorm and clipvalue.
    public let clipping: GradientClipping
    let state = OptimizerState()

    public init(
        learningRate: LearningRateSchedule = 1e-3, initialAccumulatorValue: Float = 0.1, epsilon: Float = 1e-7, clipNorm: Float? = nil,
        globalClipNorm: Float? = nil, clipValue: Float? = nil
    ) {
        self.learningRate = learningRate
        clipping = GradientClipping(clipNorm: clipNorm, globalClipNorm: globalClipNorm, clipValue: clipValue)
        self.initialAccumulatorValue = initialAccumulatorValue
        self.epsilon = epsilon
    }

    func accumulator(for p: Parameter) -> UnsafeMutableBufferPointer<Float> {
        state.buffer(for: p, slot: 0, initial: initialAccumulatorValue)
    }

    public func update(_ parameters: [Parameter], step: Int) throws {
        try clipping.apply(to: parameters)
        let lr = learningRate.rate(atIteration: step - 1)
        for p in parameters {
            try OptimizerKernels.adagrad(
                weights: p.value, gradient: UnsafeBufferPointer(p.gradient), accumulator: accumulator(for: p),
                learningRate: lr, epsilon: epsilon)
        }
    }
}
