import ConvKit

/// Nadam as Keras defines it (`keras.optimizers.Nadam`, same defaults: learning rate 1e-3, beta1
/// 0.9, beta2 0.999, epsilon 1e-7), with Keras' momentum schedule `u_t = beta1 (1 - 0.5 * 0.96^t)`,
/// on ConvKit's ``ConvKit/OptimizerKernels/nadam(weights:gradient:m:v:learningRate:beta1:beta2:epsilon:step:context:)``.
/// The product of the `u_t` is a function of the step, so a resumed run continues it exactly.
///
/// Keras: `Nadam()`; ConvNN: `Nadam()`.
public final class Nadam: ScheduledOptimizer {
    public let learningRate: LearningRateSchedule, beta1: Float, beta2: Float, epsilon: Float
    /// Keras' clipnorm, global_clipnorm and clipvalue.
    public let clipping: GradientClipping
    let state = OptimizerState()
    /// `u_1 ... u_step` of the last step (recomputed from the step when steps are not consecutive).
    private var product: (step: Int, value: Float) = (0, 1)

    public init(
        learningRate: LearningRateSchedule = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7, clipNorm: Float? = nil,
        globalClipNorm: Float? = nil, clipValue: Float? = nil
    ) {
        self.learningRate = learningRate
        clipping = GradientClipping(clipNorm: clipNorm, globalClipNorm: globalClipNorm, clipValue: clipValue)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    public func update(_ parameters: [Parameter], step: Int) throws {
        try clipping.apply(to: parameters)
        let lr = learningRate.rate(atIteration: step - 1)
        guard step >= 1 else { throw ConvKitError.invalidArgument(name: "step", message: "must be >= 1, got \(step)") }
        let u = OptimizerKernels.NadamStep.momentum(step: step, beta1: beta1)
        let uProduct = product.step == step - 1 ? product.value * u : OptimizerKernels.NadamStep.product(through: step, beta1: beta1)
        product = (step, uProduct)
        let scalars = OptimizerKernels.NadamStep(step: step, beta1: beta1, beta2: beta2, uProduct: uProduct)
        for p in parameters {
            try OptimizerKernels.nadam(
                weights: p.value, gradient: UnsafeBufferPointer(p.gradient), m: state.buffer(for: p, slot: 0),
                v: state.buffer(for: p, slot: 1), learningRate: lr, beta1: beta1, beta2: beta2, epsilon: epsilon,
                step: scalars)
        }
    }
}
