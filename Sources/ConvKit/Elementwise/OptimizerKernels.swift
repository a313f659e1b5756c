internal import ConvKitKernels

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
