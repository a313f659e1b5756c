import ConvKit

/// The rectifier as a layer (Keras' `ReLU`), on ConvKit's ``ConvKit/ReLUKernel``.
public final class ReLU: Layer {
    public let typeName = "ReLU"
    public var name = "re_lu"
    private var count = 0
    private var context: ExecutionContext?
    public init() {}
    public func outputShape(for input: TensorShape) throws -> TensorShape { input }
    public func build(input: TensorShape, generator: inout SplitMix64) throws { count = input.count }
    public func prepare(batch: Int, context: ExecutionContext) throws -> Int { self.context = context; return 0 }
    public func forward(
        _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, batch: Int, slice: Int, training: Bool,
        workspace: Workspace
    ) throws {
        try ReLUKernel.forward(
            UnsafeBufferPointer(start: input, count: batch * count),
            into: UnsafeMutableBufferPointer(start: output, count: batch * count), context: context)
    }
    public func backward(
        input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafeMutablePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>?, batch: Int, slice: Int, workspace: Workspace
    ) throws {
        guard let inputGradient else { return }
        try ReLUKernel.backward(
            output: UnsafeBufferPointer(start: output, count: batch * count),
            outputGradient: UnsafeBufferPointer(start: outputGradient, count: batch * count),
            inputGradient: UnsafeMutableBufferPointer(start: inputGradient, count: batch * count), context: context)
    }
}

/// Reshapes `h x w x c` to a flat vector in NHWC order (Keras' `Flatten` for channels-last).
public final class Flatten: Layer {
    public let typeName = "Flatten"
    public var name = "flatten"
    private var count = 0
    public init() {}
    public func outputShape(for input: TensorShape) throws -> TensorShape { TensorShape(features: input.count) }
    public func build(input: TensorShape, generator: inout SplitMix64) throws { count = input.count }
    public func forward(
        _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, batch: Int, slice: Int, training: Bool,
        workspace: Workspace
    ) throws {
        output.update(from: input, count: batch * count)
    }
    public func backward(
        input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafeMutablePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>?, batch: Int, slice: Int, workspace: Workspace
    ) throws {
        inputGradient?.update(from: outputGradient, count: batch * count)
    }
}

/// Inverted dropout (Keras' `Dropout`): in training, each activation is zeroed with probability
/// `rate` and the rest scaled by `1 / (1 - rate)`; identity in inference. Masks come from a
/// generator seeded by `seed` and the call count, so training stays reproducible.
public final class Dropout: Layer, CheckpointableLayer {
    public let typeName = "Dropout"
    public var name = "dropout"
    public let rate: Float
    public let seed: UInt64
    private var count = 0
    // Per slice: calls so far and the mask of the last training forward (pointers, so concurrent
    // slices never mutate a shared Swift array).
    private var calls: [UnsafeMutablePointer<UInt64>] = []
    private var masks: [UnsafeMutableBufferPointer<Float>] = []

    /// - Throws: ``ConvKit/ConvKitError`` unless `0 <= rate < 1`.
    public init(rate: Float, seed: UInt64 = 0) throws {
        guard rate >= 0 && rate < 1 else { throw ConvKitError.invalidArgument(name: "rate", message: "must be in [0, 1), got \(rate)") }
        self.rate = rate
        self.seed = seed
    }
    deinit {
        for c in calls { c.deallocate() }
        for m in masks { m.deallocate() }
    }
    public var configuration: [String: String] { ["rate": "\(rate)"] }
    public func outputShape(for input: TensorShape) throws -> TensorShape { input }
    public func build(input: TensorShape, generator: inout SplitMix64) throws { count = input.count }
    public func reserve(slices n: Int) {
        while calls.count < max(1, n) {
            let c = UnsafeMutablePointer<UInt64>.allocate(capacity: 1)
            c.initialize(to: 0)
            calls.append(c)
            masks.append(UnsafeMutableBufferPointer(start: nil, count: 0))
        }
    }
    public func prepare(batch: Int, context: ExecutionContext) throws -> Int {
        reserve(slices: 1)
        for k in masks.indices where masks[k].count < batch * count {
            masks[k].deallocate()
            masks[k] = .allocate(capacity: batch * count)
            masks[k].initialize(repeating: 1)
        }
        return 0
    }
    public func forward(
        _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, batch: Int, slice: Int, training: Bool,
        workspace: Workspace
    ) throws {
        let n = batch * count
        guard training, rate > 0 else { output.update(from: input, count: n); return }
        calls[slice].pointee += 1
        var generator = SplitMix64(seed: seed &+ calls[slice].pointee &* 0x9E37_79B9 &+ UInt64(slice) &* 0x1_0000_0001)
        let keep = 1 / (1 - rate), mask = masks[slice]
        for i in 0..<n {
            mask[i] = Float(generator.uniform(0, 1)) < rate ? 0 : keep
            output[i] = input[i] * mask[i]
        }
    }
    /// Counts a training forward of slice `k` that another process ran (data-parallel training):
    /// the mask of the slice's next call is then the one a single process would draw.
    func countSliceRunElsewhere(_ k: Int) {
        guard rate > 0 else { return }
        reserve(slices: k + 1)
        calls[k].pointee += 1
    }

    /// Training forward calls so far, per slice (the masks are drawn from them).
    var checkpointState: [UInt64] { calls.map(\.pointee) }
    func restore(checkpointState state: [UInt64]) throws {
        reserve(slices: state.count)
        for (k, c) in calls.enumerated() { c.pointee = k < state.count ? state[k] : 0 }
    }
    public func backward(
        input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafeMutablePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>?, batch: Int, slice: Int, workspace: Workspace
    ) throws {
        guard let inputGradient else { return }
        let mask = masks[slice]
        for i in 0..<(batch * count) { inputGradient[i] = outputGradient[i] * (rate > 0 ? mask[i] : 1) }
    }
}
