internal import ConvKitKernels

/// The passes of batch normalization over NHWC data seen as `rows x channels` (rows = N*H*W):
/// per-channel moments and backward sums accumulated in double (in ascending row order, so a
/// batch cut into fixed slices whose sums are added in slice order gives the same bits for any
/// thread count), and the elementwise scale-shift and input-gradient passes.
public enum BatchNormalizationKernels {
    /// With `v = x[r][j] - shift[j]`: `sum[j] += v`, `sumSquares[j] += v^2` over every row r
    /// (rows summed in float in blocks of 16, the blocks in double). A shift near the mean (the
    /// moving mean) keeps `sumSquares / n - (sum / n)^2` accurate when the mean is large.
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` when the sizes do not fit.
    public static func accumulateMoments(
        _ x: UnsafeBufferPointer<Float>, channels: Int, shift: UnsafeBufferPointer<Float>,
        sum: UnsafeMutableBufferPointer<Double>, sumSquares: UnsafeMutableBufferPointer<Double>,
        context: ExecutionContext? = nil
    ) throws {
        try check(x.count, channels, ("shift", shift.count), ("sum", sum.count), ("sumSquares", sumSquares.count))
        guard x.count > 0 else { return }
        try kernels(context).channelMoments(
            x.count / channels, channels, x.baseAddress!, shift.baseAddress!, sum.baseAddress!, sumSquares.baseAddress!)
    }

    /// `y[r][j] = x[r][j] * scale[j] + shift[j]`; `x` and `y` may be the same buffer.
    public static func scaleShift(
        _ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>, scale: UnsafeBufferPointer<Float>,
        shift: UnsafeBufferPointer<Float>, context: ExecutionContext? = nil
    ) throws {
        try checkSameCount(("x", x.count), ("y", y.count))
        try check(x.count, scale.count, ("shift", shift.count))
        guard x.count > 0 else { return }
        try kernels(context).scaleShift(x.count / scale.count, scale.count, x.baseAddress!, y.baseAddress!, scale.baseAddress!, shift.baseAddress!)
    }

    /// `sumDy[j] += dy[r][j]`, `sumDyCentered[j] += dy[r][j] * (x[r][j] - mean[j])` over every row
    /// (blocked as ``accumulateMoments(_:channels:shift:sum:sumSquares:context:)``).
    public static func accumulateBackwardSums(
        x: UnsafeBufferPointer<Float>, outputGradient dy: UnsafeBufferPointer<Float>, mean: UnsafeBufferPointer<Float>,
        sumDy: UnsafeMutableBufferPointer<Double>, sumDyCentered: UnsafeMutableBufferPointer<Double>,
        context: ExecutionContext? = nil
    ) throws {
        try checkSameCount(("x", x.count), ("outputGradient", dy.count))
        try check(x.count, mean.count, ("sumDy", sumDy.count), ("sumDyCentered", sumDyCentered.count))
        guard x.count > 0 else { return }
        try kernels(context).batchNormBackwardSums(
            x.count / mean.count, mean.count, x.baseAddress!, dy.baseAddress!, mean.baseAddress!, sumDy.baseAddress!,
            sumDyCentered.baseAddress!)
    }

    /// `dx = gain * ((dy - meanDy) - xhat * meanDyXhat)` with `xhat = (x - mean) * inverseStd`,
    /// per channel: the input gradient of batch normalization in training (gain = gamma *
    /// inverseStd, meanDy = mean of dy, meanDyXhat = mean of dy * xhat over the batch).
    /// `dy` and `dx` may be the same buffer.
    public static func backwardData(
        x: UnsafeBufferPointer<Float>, outputGradient dy: UnsafeBufferPointer<Float>,
        into dx: UnsafeMutableBufferPointer<Float>, mean: UnsafeBufferPointer<Float>,
        inverseStd: UnsafeBufferPointer<Float>, gain: UnsafeBufferPointer<Float>, meanDy: UnsafeBufferPointer<Float>,
        meanDyXhat: UnsafeBufferPointer<Float>, context: ExecutionContext? = nil
    ) throws {
        try checkSameCount(("x", x.count), ("outputGradient", dy.count), ("inputGradient", dx.count))
        try check(
            x.count, mean.count, ("inverseStd", inverseStd.count), ("gain", gain.count), ("meanDy", meanDy.count),
            ("meanDyXhat", meanDyXhat.count))
        guard x.count > 0 else { return }
        try kernels(context).batchNormBackwardData(
            x.count / mean.count, mean.count, x.baseAddress!, dy.baseAddress!, dx.baseAddress!, mean.baseAddress!,
            inverseStd.baseAddress!, gain.baseAddress!, meanDy.baseAddress!, meanDyXhat.baseAddress!)
    }

    static func kernels(_ context: ExecutionContext?) throws -> ElementwiseKernels {
        try (context ?? ExecutionContext.fromEnvironment()).kernels.elementwise
    }

    static func check(_ count: Int, _ channels: Int, _ perChannel: (String, Int)...) throws {
        guard channels >= 1, count % channels == 0 else {
            throw ConvKitError.invalidArgument(name: "channels", message: "must be >= 1 and divide the \(count) elements, got \(channels)")
        }
        for (name, n) in perChannel where n != channels {
            throw ConvKitError.invalidArgument(name: name, message: "has \(n) elements, expected one per channel (\(channels))")
        }
    }
}
