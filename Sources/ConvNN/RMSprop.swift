import ConvKit

/// RMSprop as Keras defines it (`keras.optimizers.RMSprop`, same defaults: learning rate 1e-3,
/// rho 0.9, momentum 0, epsilon 1e-7, not centered): `v = rho v + (1 - rho) g^2`,
/// `w -= lr g / sqrt(v + epsilon)` (centered: `sqrt(v - a^2 + epsilon)` with `a` the running mean
/// gradient; with momentum the increments accumulate), on ConvKit's
/// ``ConvKit/OptimizerKernels/rmsprop(weights:gradient:velocity:momentumBuffer:averageGradient:learningRate:rho:momentum:epsilon:context:)``.
///
/// Keras: `RMSprop(learning_rate=0.01, rho=0.95)`; ConvNN: `RMSprop(learningRate: 0.01, rho: 0.95)`.
public final class RMSprop: ScheduledOptimizer {
    public let learningRate: LearningRateSchedule, rho: Float, momentum: Float, epsilon: Float
    /// Keras' clipnorm, global_clipnorm and clipvalue.
    public let clipping: GradientClipping
    public let centered: Bool
    let state = OptimizerState()

    public init(
        learningRate: LearningRateSchedule = 1e-3, rho: Float = 0.9, momentum: Float = 0, epsilon: Float = 1e-7, centered: Bool = false, clipNorm: Float? = nil,
        globalClipNorm: Float? = nil, clipValue: Float? = nil
    ) {
        self.learningRate = learningRate
        clipping = GradientClipping(clipNorm: clipNorm, globalClipNorm: globalClipNorm, clipValue: clipValue)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered
    }

    /// The state tensors of `p`: velocity, then the momentum buffer and the mean gradient when used.
    func tensors(for p: Parameter) -> [UnsafeMutableBufferPointer<Float>] {
        [state.buffer(for: p, slot: 0)] + (momentum > 0 ? [state.buffer(for: p, slot: 1)] : [])
            + (centered ? [state.buffer(for: p, slot: 2)] : [])
    }

    public func update(_ parameters: [Parameter], step: Int) throws {
        try clipping.apply(to: parameters)
        let lr = learningRate.rate(atIteration: step - 1)
        for p in parameters {
            try OptimizerKernels.rmsprop(
                weights: p.value, gradient: UnsafeBufferPointer(p.gradient), velocity: state.buffer(for: p, slot: 0),
                momentumBuffer: momentum > 0 ? state.buffer(for: p, slot: 1) : nil,
                averageGradient: centered ? state.buffer(for: p, slot: 2) : nil, learningRate: lr, rho: rho,
                momentum: momentum, epsilon: epsilon)
        }
    }
}
