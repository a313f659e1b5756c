import ConvKit
import Foundation

/// Batch normalization over the last axis (Keras' `BatchNormalization`, channels of NHWC data or
/// the features of a flat input), Keras' defaults: momentum 0.99, epsilon 1e-3, gamma ones, beta
/// zeros, moving mean zeros, moving variance ones.
///
/// In training, each channel is normalised with the mean and (biased) variance of the whole
/// batch, `y = gamma (x - mean) / sqrt(var + epsilon) + beta`, and the moving averages follow
/// `moving = moving * momentum + batch * (1 - momentum)`; in inference the moving averages
/// normalise. Statistics are summed in double per slice of the batch and combined in slice
/// order (``BatchCoupledLayer``), so training is bitwise the same for any thread count. The
/// moving averages are non-trainable weights saved in model files.
///
/// Keras: `BatchNormalization()`; ConvNN: `BatchNormalization()`.
public final class BatchNormalization: Layer, BatchCoupledLayer {
    public let typeName = "BatchNormalization"
    public var name = "batch_normalization"
    public let momentum: Float, epsilon: Float
    public private(set) var gamma: Parameter?, beta: Parameter?
    public private(set) var movingMean: Parameter?, movingVariance: Parameter?
    private var channels = 0, rowsPerExample = 0
    private var context: ExecutionContext?
    /// Per slice: sum and sum of squares (forward) or sum dy and sum dy (x - mean) (backward), 2C doubles.
    private var sliceSums: [UnsafeMutableBufferPointer<Double>] = []
    /// The batch's statistics and the backward pass's coefficients, per channel.
    private var floats = UnsafeMutableBufferPointer<Float>(start: nil, count: 0)
    private var statisticsReady = false, gradientStatisticsReady = false

    /// - Throws: ``ConvKit/ConvKitError`` unless `0 <= momentum <= 1` and `epsilon > 0`.
    public init(momentum: Float = 0.99, epsilon: Float = 1e-3) throws {
        guard momentum >= 0 && momentum <= 1 else {
            throw ConvKitError.invalidArgument(name: "momentum", message: "must be in [0, 1], got \(momentum)")
        }
        guard epsilon > 0 && epsilon.isFinite else {
            throw ConvKitError.invalidArgument(name: "epsilon", message: "must be finite and > 0, got \(epsilon)")
        }
        self.momentum = momentum
        self.epsilon = epsilon
    }

    deinit {
        for s in sliceSums { s.deallocate() }
        floats.deallocate()
    }

    public var configuration: [String: String] { ["momentum": "\(momentum)", "epsilon": "\(epsilon)", "axis": "-1"] }
    public var parameters: [Parameter] { [gamma, beta].compactMap { $0 } }
    public var nonTrainableParameters: [Parameter] { [movingMean, movingVariance].compactMap { $0 } }

    public func outputShape(for input: TensorShape) throws -> TensorShape { input }

    public func build(input: TensorShape, generator: inout SplitMix64) throws {
        channels = input.channels
        rowsPerExample = input.count / input.channels
        let c = channels
        gamma = Parameter(name: "gamma", shape: [c])
        gamma!.value.update(repeating: 1)
        beta = Parameter(name: "beta", shape: [c])
        movingMean = Parameter(name: "moving_mean", shape: [c])
        movingVariance = Parameter(name: "moving_variance", shape: [c])
        movingVariance!.value.update(repeating: 1)
        floats.deallocate()
        // mean, inverse std, scale, shift, gain, mean dy, mean dy xhat
        floats = .allocate(capacity: 7 * c)
        floats.initialize(repeating: 0)
    }

    private func row(_ k: Int) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(rebasing: floats[(k * channels)..<((k + 1) * channels)])
    }
    private var mean: UnsafeMutableBufferPointer<Float> { row(0) }
    private var inverseStd: UnsafeMutableBufferPointer<Float> { row(1) }
    private var scale: UnsafeMutableBufferPointer<Float> { row(2) }
    private var shift: UnsafeMutableBufferPointer<Float> { row(3) }
    private var gain: UnsafeMutableBufferPointer<Float> { row(4) }
    private var meanDy: UnsafeMutableBufferPointer<Float> { row(5) }
    private var meanDyXhat: UnsafeMutableBufferPointer<Float> { row(6) }

    public func reserve(slices count: Int) {
        while sliceSums.count < max(1, count) {
            let s = UnsafeMutableBufferPointer<Double>.allocate(capacity: 2 * max(1, channels))
            s.initialize(repeating: 0)
            sliceSums.append(s)
        }
    }

    public func prepare(batch: Int, context: ExecutionContext) throws -> Int {
        reserve(slices: 1)
        self.context = context
        return 0
    }

    private func halves(_ slice: Int) -> (UnsafeMutableBufferPointer<Double>, UnsafeMutableBufferPointer<Double>) {
        let s = sliceSums[slice]
        return (UnsafeMutableBufferPointer(rebasing: s[0..<channels]), UnsafeMutableBufferPointer(rebasing: s[channels..<(2 * channels)]))
    }

    func gatherStatistics(input: UnsafePointer<Float>, batch: Int, slice: Int) throws {
        let (sum, squares) = halves(slice)
        sum.update(repeating: 0)
        squares.update(repeating: 0)
        // Shifted by the moving mean (the same for every slice of a step), against cancellation.
        try BatchNormalizationKernels.accumulateMoments(
            UnsafeBufferPointer(start: input, count: batch * rowsPerExample * channels), channels: channels,
            shift: UnsafeBufferPointer(movingMean!.value), sum: sum, sumSquares: squares, context: context)
    }

    func combineStatistics(slices: Int, examples: Int) throws {
        let rows = Double(examples * rowsPerExample)
        let (g, b) = (gamma!.value, beta!.value), (mm, mv) = (movingMean!.value, movingVariance!.value)
        for j in 0..<channels {
            var sum = 0.0, squares = 0.0
            for k in 0..<slices {
                sum += sliceSums[k][j]
                squares += sliceSums[k][channels + j]
            }
            let shifted = sum / rows, m = Double(mm[j]) + shifted, variance = max(0, squares / rows - shifted * shifted)
            let inv = 1 / (variance + Double(epsilon)).squareRoot()
            mean[j] = Float(m)
            inverseStd[j] = Float(inv)
            scale[j] = g[j] * Float(inv)
            shift[j] = b[j] - Float(m) * scale[j]
            mm[j] = mm[j] * momentum + Float(m) * (1 - momentum)
            mv[j] = mv[j] * momentum + Float(variance) * (1 - momentum)
        }
        statisticsReady = true
    }

    public func forward(
        _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, batch: Int, slice: Int, training: Bool,
        workspace: Workspace
    ) throws {
        let n = batch * rowsPerExample * channels
        let x = UnsafeBufferPointer(start: input, count: n), y = UnsafeMutableBufferPointer(start: output, count: n)
        if training {
            guard statisticsReady else {
                throw ConvKitError.invalidArgument(name: name, message: "training forward without the batch statistics (run it through Sequential)")
            }
            try BatchNormalizationKernels.scaleShift(x, into: y, scale: UnsafeBufferPointer(scale), shift: UnsafeBufferPointer(shift), context: context)
            return
        }
        // Inference: the moving averages (per-call scratch on the stack; slices run concurrently).
        try withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * channels) { buffer in
            let s = UnsafeMutableBufferPointer(rebasing: buffer[0..<channels])
            let t = UnsafeMutableBufferPointer(rebasing: buffer[channels..<(2 * channels)])
            let (g, b, mm, mv) = (gamma!.value, beta!.value, movingMean!.value, movingVariance!.value)
            for j in 0..<channels {
                s[j] = g[j] * Float(1 / (Double(mv[j]) + Double(epsilon)).squareRoot())
                t[j] = b[j] - mm[j] * s[j]
            }
            try BatchNormalizationKernels.scaleShift(x, into: y, scale: UnsafeBufferPointer(s), shift: UnsafeBufferPointer(t), context: context)
        }
    }

    func gatherGradientStatistics(input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>, batch: Int, slice: Int) throws {
        let n = batch * rowsPerExample * channels
        let (sumDy, sumDyCentered) = halves(slice)
        sumDy.update(repeating: 0)
        sumDyCentered.update(repeating: 0)
        try BatchNormalizationKernels.accumulateBackwardSums(
            x: UnsafeBufferPointer(start: input, count: n), outputGradient: UnsafeBufferPointer(start: outputGradient, count: n),
            mean: UnsafeBufferPointer(mean), sumDy: sumDy, sumDyCentered: sumDyCentered, context: context)
    }

    func combineGradientStatistics(slices: Int, examples: Int) throws {
        guard statisticsReady else {
            throw ConvKitError.invalidArgument(name: name, message: "backward without a training forward")
        }
        let rows = Double(examples * rowsPerExample)
        let dGamma = gamma!.gradient, dBeta = beta!.gradient, g = gamma!.value
        for j in 0..<channels {
            var sumDy = 0.0, sumDyCentered = 0.0
            for k in 0..<slices {
                sumDy += sliceSums[k][j]
                sumDyCentered += sliceSums[k][channels + j]
            }
            let inv = Double(inverseStd[j])
            dBeta[j] = Float(sumDy)
            dGamma[j] = Float(sumDyCentered * inv)
            gain[j] = g[j] * inverseStd[j]
            meanDy[j] = Float(sumDy / rows)
            meanDyXhat[j] = Float(sumDyCentered * inv / rows)
        }
        // The whole batch's gradients are in slice 0's buffers; the other slices add nothing.
        for k in 1..<max(1, slices) {
            gamma!.gradient(slice: k).update(repeating: 0)
            beta!.gradient(slice: k).update(repeating: 0)
        }
        gradientStatisticsReady = true
    }

    public func backward(
        input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafeMutablePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>?, batch: Int, slice: Int, workspace: Workspace
    ) throws {
        guard gradientStatisticsReady else {
            throw ConvKitError.invalidArgument(name: name, message: "backward without the batch's gradient sums (run it through Sequential)")
        }
        guard let inputGradient else { return }
        let n = batch * rowsPerExample * channels
        try BatchNormalizationKernels.backwardData(
            x: UnsafeBufferPointer(start: input, count: n), outputGradient: UnsafeBufferPointer(start: outputGradient, count: n),
            into: UnsafeMutableBufferPointer(start: inputGradient, count: n), mean: UnsafeBufferPointer(mean),
            inverseStd: UnsafeBufferPointer(inverseStd), gain: UnsafeBufferPointer(gain), meanDy: UnsafeBufferPointer(meanDy),
            meanDyXhat: UnsafeBufferPointer(meanDyXhat), context: context)
    }
}
