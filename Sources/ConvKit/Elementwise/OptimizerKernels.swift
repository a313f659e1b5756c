internal import ConvKitKernels
import Foundation

/// Parameter-update kernels of the optimizers, elementwise over a parameter tensor (so any
/// partition gives the same bits).
public enum OptimizerKernels {
    /// One Adam step in Keras' form: `m += (g - m)(1 - beta1)`, `v += (g^2 - v)(1 - beta2)`,
    /// `w -= alpha * m / (sqrt(v) + epsilon)` with `alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t)`
    /// (`t` the 1-based step).
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` when the buffers differ in length.
    public static func adam(
        weights: UnsafeMutableBufferPointer<Float>, gradient: UnsafeBufferPointer<Float>,
        m: UnsafeMutableBufferPointer<Float>, v: UnsafeMutableBufferPointer<Float>,
        learningRate: Float, beta1: Float, beta2: Float, epsilon: Float, step: Int, context: ExecutionContext? = nil
    ) throws {
        try checkSameCount(("weights", weights.count), ("gradient", gradient.count), ("m", m.count), ("v", v.count))
        guard step >= 1 else { throw ConvKitError.invalidArgument(name: "step", message: "must be >= 1, got \(step)") }
        guard weights.count > 0 else { return }
        let t = Double(step)
        let alpha = Double(learningRate) * (1 - pow(Double(beta2), t)).squareRoot() / (1 - pow(Double(beta1), t))
        try (context ?? ExecutionContext.fromEnvironment()).kernels.elementwise.adamUpdate(
            weights.count, weights.baseAddress!, gradient.baseAddress!, m.baseAddress!, v.baseAddress!,
            Float(alpha), beta1, beta2, epsilon)
    }

    /// `sum[i] += addend[i]`: sums per-slice gradients into one, in the order of the calls.
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` when the lengths differ.
    public static func accumulate(
        _ addend: UnsafeBufferPointer<Float>, into sum: UnsafeMutableBufferPointer<Float>, context: ExecutionContext? = nil
    ) throws {
        try checkSameCount(("addend", addend.count), ("sum", sum.count))
        guard sum.count > 0 else { return }
        try (context ?? ExecutionContext.fromEnvironment()).kernels.elementwise.add(sum.count, addend.baseAddress!, sum.baseAddress!)
    }

    /// One SGD step with L2 weight decay (`g + weightDecay * w`) and, when `velocity` is given,
    /// momentum (`velocity = momentum * velocity - lr * g'`, `w += velocity`).
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` when the buffers differ in length.
    public static func sgd(
        weights: UnsafeMutableBufferPointer<Float>, gradient: UnsafeBufferPointer<Float>,
        velocity: UnsafeMutableBufferPointer<Float>?, learningRate: Float, momentum: Float,
        weightDecay: Float, context: ExecutionContext? = nil
    ) throws {
        try checkSameCount(("weights", weights.count), ("gradient", gradient.count), ("velocity", velocity?.count ?? weights.count))
        guard weights.count > 0 else { return }
        try (context ?? ExecutionContext.fromEnvironment()).kernels.elementwise.sgdUpdate(
            weights.count, weights.baseAddress!, gradient.baseAddress!, velocity?.baseAddress,
            learningRate, momentum, weightDecay)
    }
}

extension OptimizerKernels {
    /// One SGD step with Nesterov momentum in Keras' form: `g' = g + weightDecay * w`,
    /// `velocity = momentum * velocity - lr * g'`, `w += momentum * velocity - lr * g'`.
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` when the buffers differ in length.
    public static func sgdNesterov(
        weights: UnsafeMutableBufferPointer<Float>, gradient: UnsafeBufferPointer<Float>,
        velocity: UnsafeMutableBufferPointer<Float>, learningRate: Float, momentum: Float, weightDecay: Float = 0,
        context: ExecutionContext? = nil
    ) throws {
        try checkSameCount(("weights", weights.count), ("gradient", gradient.count), ("velocity", velocity.count))
        guard weights.count > 0 else { return }
        try (context ?? ExecutionContext.fromEnvironment()).kernels.elementwise.sgdNesterovUpdate(
            weights.count, weights.baseAddress!, gradient.baseAddress!, velocity.baseAddress!, learningRate, momentum, weightDecay)
    }

    /// One AdaGrad step (Keras): `accumulator += g^2`, `w -= lr * g / sqrt(accumulator + epsilon)`.
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` when the buffers differ in length.
    public static func adagrad(
        weights: UnsafeMutableBufferPointer<Float>, gradient: UnsafeBufferPointer<Float>,
        accumulator: UnsafeMutableBufferPointer<Float>, learningRate: Float, epsilon: Float, context: ExecutionContext? = nil
    ) throws {
        try checkSameCount(("weights", weights.count), ("gradient", gradient.count), ("accumulator", accumulator.count))
        guard weights.count > 0 else { return }
        try (context ?? ExecutionContext.fromEnvironment()).kernels.elementwise.adagradUpdate(
            weights.count, weights.baseAddress!, gradient.baseAddress!, accumulator.baseAddress!, learningRate, epsilon)
    }

    /// One RMSprop step (Keras): `v = rho v + (1 - rho) g^2`; centered (`averageGradient` given):
    /// `a = rho a + (1 - rho) g`, denominator `v - a^2 + epsilon`, else `v + epsilon`;
    /// `increment = lr g / sqrt(denominator)`; with `momentumBuffer`: `b = momentum b + increment`,
    /// `w -= b`; else `w -= increment`.
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` when the buffers differ in length.
    public static func rmsprop(
        weights: UnsafeMutableBufferPointer<Float>, gradient: UnsafeBufferPointer<Float>,
        velocity: UnsafeMutableBufferPointer<Float>, momentumBuffer: UnsafeMutableBufferPointer<Float>?,
        averageGradient: UnsafeMutableBufferPointer<Float>?, learningRate: Float, rho: Float, momentum: Float,
        epsilon: Float, context: ExecutionContext? = nil
    ) throws {
        try checkSameCount(("weights", weights.count), ("gradient", gradient.count), ("velocity", velocity.count))
        try checkSameCount(
            ("weights", weights.count), ("momentumBuffer", momentumBuffer?.count ?? weights.count),
            ("averageGradient", averageGradient?.count ?? weights.count))
        guard weights.count > 0 else { return }
        try (context ?? ExecutionContext.fromEnvironment()).kernels.elementwise.rmspropUpdate(
            weights.count, weights.baseAddress!, gradient.baseAddress!, velocity.baseAddress!, momentumBuffer?.baseAddress,
            averageGradient?.baseAddress, learningRate, rho, momentum, epsilon)
    }

    /// The scalars of Nadam step `step` (1-based) as Keras computes them in float32:
    /// `u_t = beta1 (1 - 0.5 * 0.96^t)`, `u_{t+1}` likewise, `uProduct` the product of `u_1 ... u_t`.
    public struct NadamStep: Sendable, Equatable {
        public let ut: Float, ut1: Float, uProduct: Float, uProduct1: Float, beta2Power: Float

        /// - Parameter uProduct: the product of `u_1 ... u_t` (the caller keeps it from step to step).
        public init(step: Int, beta1: Float, beta2: Float, uProduct: Float) {
            ut = NadamStep.momentum(step: step, beta1: beta1)
            ut1 = NadamStep.momentum(step: step + 1, beta1: beta1)
            self.uProduct = uProduct
            uProduct1 = uProduct * ut1
            beta2Power = Float(Foundation.pow(Double(beta2), Double(step)))
        }

        /// Keras' momentum schedule `u_t = beta1 (1 - 0.5 * 0.96^t)` in float32.
        public static func momentum(step: Int, beta1: Float) -> Float {
            beta1 * (1 - 0.5 * Float(Foundation.pow(Double(Float(0.96)), Double(step))))
        }

        /// `u_1 * ... * u_step` in float32, in step order (what Keras' `_u_product` holds at that step).
        public static func product(through step: Int, beta1: Float) -> Float {
            var p: Float = 1
            for i in stride(from: 1, through: step, by: 1) { p = p * momentum(step: i, beta1: beta1) }
            return p
        }
    }

    /// One Nadam step in Keras' form: `m += (g - m)(1 - beta1)`, `v += (g^2 - v)(1 - beta2)`,
    /// `m_hat = u_{t+1} m / (1 - uProduct_{t+1}) + (1 - u_t) g / (1 - uProduct_t)`,
    /// `v_hat = v / (1 - beta2^t)`, `w -= m_hat lr / (sqrt(v_hat) + epsilon)`.
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` when the buffers differ in length.
    public static func nadam(
        weights: UnsafeMutableBufferPointer<Float>, gradient: UnsafeBufferPointer<Float>,
        m: UnsafeMutableBufferPointer<Float>, v: UnsafeMutableBufferPointer<Float>, learningRate: Float,
        beta1: Float, beta2: Float, epsilon: Float, step: NadamStep, context: ExecutionContext? = nil
    ) throws {
        try checkSameCount(("weights", weights.count), ("gradient", gradient.count), ("m", m.count), ("v", v.count))
        guard weights.count > 0 else { return }
        try (context ?? ExecutionContext.fromEnvironment()).kernels.elementwise.nadamUpdate(
            weights.count, weights.baseAddress!, gradient.baseAddress!, m.baseAddress!, v.baseAddress!, learningRate,
            beta1, beta2, epsilon, step.ut, step.ut1, step.uProduct, step.uProduct1, step.beta2Power)
    }
}

private func pow(_ x: Double, _ y: Double) -> Double {
    var result = 1.0
    var n = Int(y)
    var base = x
    while n > 0 {
        if n & 1 == 1 { result *= base }
        base *= base
        n >>= 1
    }
    return result
}
