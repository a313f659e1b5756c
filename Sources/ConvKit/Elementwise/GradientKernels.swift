internal import ConvKitKernels

/// Kernels of regularizers and gradient clipping over one parameter tensor. The sums run in a
/// fixed order (8 double lanes), so they give the same bits for any thread count and ISA.
public enum GradientKernels {
    /// `(sum |x|, sum x^2)` in double.
    public static func absAndSquareSums(_ x: UnsafeBufferPointer<Float>, context: ExecutionContext? = nil) throws -> (abs: Double, squares: Double) {
        guard x.count > 0 else { return (0, 0) }
        var a = 0.0, s = 0.0
        try (context ?? ExecutionContext.fromEnvironment()).kernels.elementwise.absAndSquareSums(x.count, x.baseAddress!, &a, &s)
        return (a, s)
    }

    /// `gradient += l1 * sign(weights) + 2 * l2 * weights` (sign(0) = 0): the gradient of
    /// `l1 * sum|w| + l2 * sum w^2`, Keras' `L1L2` penalty.
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` when the lengths differ.
    public static func addRegularizerGradient(
        weights: UnsafeBufferPointer<Float>, into gradient: UnsafeMutableBufferPointer<Float>, l1: Float, l2: Float,
        context: ExecutionContext? = nil
    ) throws {
        try checkSameCount(("weights", weights.count), ("gradient", gradient.count))
        guard weights.count > 0 else { return }
        try (context ?? ExecutionContext.fromEnvironment()).kernels.elementwise.regularizerGradient(
            weights.count, weights.baseAddress!, gradient.baseAddress!, l1, l2)
    }

    /// `x = clamp(x * scale, -limit, limit)` (`limit` may be `.infinity`; NaN stays NaN).
    public static func scaleAndClip(
        _ x: UnsafeMutableBufferPointer<Float>, scale: Float, limit: Float, context: ExecutionContext? = nil
    ) throws {
        guard x.count > 0 else { return }
        try (context ?? ExecutionContext.fromEnvironment()).kernels.elementwise.scaleClip(x.count, x.baseAddress!, scale, limit)
    }
}
