import ConvKit
import Foundation

/// A stack of layers, each feeding the next (Keras' `Sequential`).
///
/// ```swift
/// let model = try Sequential(input: TensorShape(height: 32, width: 32, channels: 3), seed: 1) {
///     try Conv2D(filters: 32, kernelSize: 3, activation: .relu)
///     try MaxPool2D(poolSize: 2)
///     Flatten()
///     try Dense(units: 10)
/// }
/// ```
/// Activation and gradient buffers are planned once per batch size and reused, so steady-state
/// training allocates nothing per batch.
public final class Sequential {
    public let layers: [any Layer]
    /// The input shape and the output shape of every layer (`shapes[i + 1]` is layer i's output).
    public let shapes: [TensorShape]
    public let context: ExecutionContext
    /// One workspace per concurrent slice of a batch.
    private var workspaces: [Workspace] = []
    private var plans: [Int: Plan] = [:]
    /// The first error of a slice of the running step (one object, reused every step).
    private let sliceFailure = FirstError()

    /// Builds the layers for `input` with Keras' initialisers (Glorot-uniform kernels, zero
    /// biases) drawn from a generator seeded with `seed`.
    /// - Throws: ``ConvKit/ConvKitError`` when a layer cannot take its input shape.
    public init(
        input: TensorShape, seed: UInt64 = 0, context: ExecutionContext? = nil,
        @LayerBuilder _ layers: () throws -> [any Layer]
    ) throws {
        try input.validate("input")
        self.layers = try layers()
        self.context = try context ?? ExecutionContext.fromEnvironment()
        var generator = SplitMix64(seed: seed)
        var shapes = [input]
        var counts: [String: Int] = [:]
        for layer in self.layers {
            let base = layer.name
            let n = counts[base, default: 0]
            counts[base] = n + 1
            layer.name = n == 0 ? base : "\(base)_\(n)"
            try layer.build(input: shapes.last!, generator: &generator)
            let output = try layer.outputShape(for: shapes.last!)
            try output.validate("\(layer.name) output")
            shapes.append(output)
        }
        self.shapes = shapes
        parameters = self.layers.flatMap(\.parameters)
        weights = self.layers.flatMap(\.weights)
        regularized = self.layers.flatMap(\.regularizedParameters)
        let built = self.layers
        let coupled = built.indices.filter { built[$0] is any BatchCoupledLayer }
        trainingStops = coupled.map { (index: $0, layer: built[$0] as? any BatchCoupledLayer) } + [(built.count, nil)]
        backwardStops = coupled.reversed().map { (index: $0, layer: built[$0] as? any BatchCoupledLayer) } + [(-1, nil)]
        // A ReLU's gradient mask moves into a following max pooling (exact; the pooled tensor is smaller).
        LayerFusion.fuseReLUGradients(self.layers)
    }

    public var inputShape: TensorShape { shapes[0] }
    public var outputShape: TensorShape { shapes[shapes.count - 1] }
    /// Every trainable tensor, in layer order (collected once at build: a training step reads it
    /// without allocating).
    public let parameters: [Parameter]
    /// Every tensor a model file stores: each layer's trainable then non-trainable tensors.
    public let weights: [Parameter]
    /// Parameters with a penalty in the loss.
    let regularized: [(parameter: Parameter, regularizer: Regularizer)]
    /// Where training passes stop for whole-batch statistics: each batch-coupled layer (in
    /// order, then reversed for the backward pass) and the end; built once, so a step allocates nothing.
    let trainingStops: [(index: Int, layer: (any BatchCoupledLayer)?)]
    let backwardStops: [(index: Int, layer: (any BatchCoupledLayer)?)]
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }
    /// Floats of the non-trainable tensors (batch normalization's moving averages).
    public var nonTrainableCount: Int { weights.reduce(0) { $0 + $1.count } - parameterCount }

    /// The regularizers' penalty on the current weights (Keras adds it to the reported loss).
    public func regularizationPenalty() throws -> Double {
        var total = 0.0
        for (p, r) in regularized { total += try r.penalty(UnsafeBufferPointer(p.value), context: context) }
        return total
    }

    /// Tells the last layer whether the loss hands it dL/dpre-activation (a fused output
    /// activation); returns whether it does.
    @discardableResult
    func fuseOutputActivation(with loss: Loss) -> Bool {
        guard let last = layers.last as? any OutputActivationFusing else { return false }
        let fused = loss.fusableActivation != nil && loss.fusableActivation == last.outputActivation
        last.outputGradientIsPreActivation = fused
        return fused
    }

    /// Buffers for one batch size: every layer's output (kept for backward) and two gradient
    /// buffers used in turn, for the whole batch; slice k of the batch works on its rows.
    final class Plan {
        let batch: Int
        /// Slices of the batch (first example, count), run concurrently through whole layers.
        let slices: [(first: Int, count: Int)]
        let activations: [UnsafeMutableBufferPointer<Float>]  // [0] is the input batch
        /// dL/dOutput of the model (batch x output size), written by the loss.
        let outputGradient: UnsafeMutableBufferPointer<Float>
        /// Two buffers used in turn for the gradients between layers; slice k owns the region
        /// starting at `first * largest` in both (per-example sizes differ between layers, so
        /// a row-major layout per layer would overlap between slices).
        let gradients: [UnsafeMutableBufferPointer<Float>]
        let largest: Int
        init(batch: Int, shapes: [TensorShape]) {
            self.batch = batch
            let count = Sequential.sliceCount(batch: batch)
            slices = (0..<count).map { k in (k * batch / count, (k + 1) * batch / count - k * batch / count) }
            activations = shapes.map { Parameter.allocate(batch * $0.count) }
            outputGradient = Parameter.allocate(batch * shapes[shapes.count - 1].count)
            largest = shapes.map(\.count).max()!
            gradients = [Parameter.allocate(batch * largest), Parameter.allocate(batch * largest)]
        }
        deinit {
            for b in activations + gradients + [outputGradient] { UnsafeMutableRawPointer(b.baseAddress!).deallocate() }
        }
    }

    /// How many slices a batch is cut into: at least 16 examples each, at most 8 slices. A
    /// function of the batch size only (never of the thread count), so results are bitwise the
    /// same for any number of threads: each slice runs every layer for its examples with
    /// single-threaded kernels, and their parameter gradients are summed in slice order.
    /// Long per-thread regions are what makes two threads pay on a small CNN: a region of a few
    /// microseconds costs about as much to start as it saves.
    public static func sliceCount(batch: Int) -> Int { max(1, min(8, batch / 16)) }

    func plan(batch: Int) throws -> Plan {
        if let p = plans[batch] { return p }
        guard batch >= 1 else { throw ConvKitError.invalidArgument(name: "batch", message: "must be at least 1, got \(batch)") }
        let p = Plan(batch: batch, shapes: shapes)
        let count = p.slices.count
        for layer in layers { layer.reserve(slices: count) }
        for parameter in weights { parameter.reserve(slices: count) }
        while workspaces.count < count { workspaces.append(Workspace()) }
        var need = 0
        for size in Set(p.slices.map(\.count)) {
            for layer in layers { need = max(need, try layer.prepare(batch: size, context: context)) }
        }
        for w in workspaces { try w.reserve(need) }
        plans[batch] = p
        return p
    }

    /// Runs `body(k)` for every slice k of `range` (default: all the plan's slices): concurrently
    /// when there are several (kernels inside then run on one thread each), else directly
    /// (kernels then use the threads themselves).
    private func forEachSlice(_ plan: Plan, _ range: Range<Int>? = nil, _ body: (Int) throws -> Void) throws {
        let range = range ?? 0..<plan.slices.count
        if range.isEmpty { return }
        if range.count == 1 { return try body(range.lowerBound) }
        let failure = sliceFailure
        failure.reset()
        Parallel.forEach(range.count, threads: context.threads) { i in
            do { try body(range.lowerBound + i) } catch { failure.record(error) }
        }
        if let error = failure.error { throw error }
    }

    /// Runs the layers on `plan.activations[0]`; returns the output buffer. In training, the
    /// layers are run in segments ending at each batch-coupled layer, whose statistics are
    /// gathered per slice and combined between segments.
    @discardableResult
    func forward(_ plan: Plan, training: Bool, slices: Range<Int>? = nil) throws -> UnsafeMutableBufferPointer<Float> {
        var start = 0
        for (stop, coupledLayer) in trainingStops where training || stop == layers.count {
            let barrier = training ? coupledLayer : nil
            try forEachSlice(plan, slices) { [self] k in
                let (first, count) = plan.slices[k]
                for i in start..<stop {
                    try layers[i].forward(
                        UnsafePointer(plan.activations[i].baseAddress! + first * shapes[i].count),
                        plan.activations[i + 1].baseAddress! + first * shapes[i + 1].count,
                        batch: count, slice: k, training: training, workspace: workspaces[k])
                }
                try barrier?.gatherStatistics(
                    input: UnsafePointer(plan.activations[stop].baseAddress! + first * shapes[stop].count), batch: count, slice: k)
            }
            try barrier?.combineStatistics(slices: plan.slices.count, examples: plan.batch)
            start = stop
        }
        return plan.activations[layers.count]
    }

    /// Back-propagates dL/dOutput held in `plan.outputGradient` through every layer, then sums the
    /// slices' parameter gradients (in slice order) into ``Parameter/gradient`` and adds the
    /// regularizers' gradients. The first layer's dL/dInput is not computed. Layer i reads its
    /// output gradient from `outputGradient` (the last layer) or `gradients[(L - 2 - i) % 2]`
    /// and writes its input gradient to `gradients[(L - 1 - i) % 2]`.
    func backward(_ plan: Plan) throws {
        try backwardSlices(plan)
        for p in parameters {
            for k in 1..<max(1, plan.slices.count) {
                try OptimizerKernels.accumulate(UnsafeBufferPointer(p.gradient(slice: k)), into: p.gradient, context: context)
            }
        }
        try addRegularizerGradients()
    }

    /// The regularizers' gradients, added to the summed parameter gradients.
    func addRegularizerGradients() throws {
        for (p, r) in regularized { try r.addGradient(p, context: context) }
    }

    /// The backward pass of slices `range` (default: all), each leaving its parameter gradients
    /// in ``Parameter/gradient(slice:)``, unsummed.
    func backwardSlices(_ plan: Plan, _ range: Range<Int>? = nil) throws {
        let last = layers.count - 1
        func outputGradient(of i: Int, _ first: Int) -> UnsafeMutablePointer<Float> {
            i == last
                ? plan.outputGradient.baseAddress! + first * shapes[layers.count].count
                : plan.gradients[(last - 1 - i) % 2].baseAddress! + first * plan.largest
        }
        var top = last
        for (stop, barrier) in backwardStops {
            try forEachSlice(plan, range) { [self] k in
                let (first, count) = plan.slices[k]
                for i in stride(from: top, to: stop, by: -1) {
                    try layers[i].backward(
                        input: UnsafePointer(plan.activations[i].baseAddress! + first * shapes[i].count),
                        output: UnsafePointer(plan.activations[i + 1].baseAddress! + first * shapes[i + 1].count),
                        outputGradient: outputGradient(of: i, first),
                        inputGradient: i == 0 ? nil : plan.gradients[(last - i) % 2].baseAddress! + first * plan.largest,
                        batch: count, slice: k, workspace: workspaces[k])
                }
                if stop >= 0 {
                    try barrier?.gatherGradientStatistics(
                        input: UnsafePointer(plan.activations[stop].baseAddress! + first * shapes[stop].count),
                        outputGradient: UnsafePointer(outputGradient(of: stop, first)), batch: count, slice: k)
                }
            }
            try barrier?.combineGradientStatistics(slices: plan.slices.count, examples: plan.batch)
            top = stop
        }
    }

    /// Outputs (logits for a classifier) for `images` (`n * inputShape.count` floats, NHWC).
    /// - Throws: ``ConvKit/ConvKitError`` when `images` is not a whole number of examples.
    public func predict(_ images: [Float], batchSize: Int = 128) throws -> [Float] {
        let per = inputShape.count
        guard images.count % per == 0 else {
            throw ConvKitError.invalidArgument(name: "images", message: "has \(images.count) floats, not a multiple of \(per) (\(inputShape))")
        }
        let n = images.count / per, outPer = outputShape.count
        var out = [Float](repeating: 0, count: n * outPer)
        var start = 0
        while start < n {
            let b = min(batchSize, n - start)
            let p = try plan(batch: b)
            images.withUnsafeBufferPointer { src in
                p.activations[0].baseAddress!.update(from: src.baseAddress! + start * per, count: b * per)
            }
            let y = try forward(p, training: false)
            for i in 0..<(b * outPer) { out[start * outPer + i] = y[i] }
            start += b
        }
        return out
    }

    /// A table like Keras' `model.summary()`: layer (type), output shape, parameters, total.
    public func summary() -> String {
        let rows = layers.enumerated().map { i, l in ("\(l.name) (\(l.typeName))", shapes[i + 1].description, l.weights.reduce(0) { $0 + $1.count }) }
        let w0 = max(28, rows.map(\.0.count).max()! + 2), w1 = max(20, rows.map(\.1.count).max()! + 2), w2 = 12
        func pad(_ s: String, _ w: Int, right: Bool = false) -> String {
            let fill = String(repeating: " ", count: max(0, w - s.count))
            return right ? fill + s : s + fill
        }
        let rule = String(repeating: "─", count: w0 + w1 + w2)
        var lines = [
            "Model: \"sequential\"", rule,
            pad("Layer (type)", w0) + pad("Output Shape", w1) + pad("Param #", w2, right: true), rule,
        ]
        for r in rows { lines.append(pad(r.0, w0) + pad(r.1, w1) + pad(r.2.formatted, w2, right: true)) }
        lines += [
            rule, " Total params: \((parameterCount + nonTrainableCount).formatted)", " Trainable params: \(parameterCount.formatted)",
            " Non-trainable params: \(nonTrainableCount.formatted)", rule,
        ]
        return lines.joined(separator: "\n")
    }
}

extension Int {
    /// 122570 -> "122,570".
    var formatted: String {
        let digits = String(abs(self))
        var out = ""
        for (i, ch) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (self < 0 ? "-" : "") + String(out.reversed())
    }
}

/// The first error thrown by any slice of a parallel region.
final class FirstError: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var error: Error?
    func reset() {
        lock.lock()
        error = nil
        lock.unlock()
    }
    func record(_ e: Error) {
        lock.lock()
        if error == nil { error = e }
        lock.unlock()
    }
}
