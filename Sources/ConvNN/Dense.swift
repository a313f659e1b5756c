import ConvKit

/// A fully connected layer (Keras' `Dense`): `y = activation(x W + b)` with kernel `[in, units]`.
/// Runs ConvKit's SGEMM, then the bias and the activation in one pass over each output row.
///
/// Keras: `Dense(50, activation="sigmoid", kernel_regularizer=l2(1e-4))`; ConvNN:
/// `Dense(units: 50, activation: .sigmoid, kernelRegularizer: .l2(1e-4))`.
public final class Dense: Layer {
    public let typeName = "Dense"
    public var name = "dense"
    public let units: Int
    public let activation: Activation
    /// How the kernel and the bias are drawn at build (Keras' defaults: Glorot uniform, zeros).
    public let kernelInitializer: Initializer, biasInitializer: Initializer
    /// Penalties on the kernel and the bias (none by default, as in Keras).
    public let kernelRegularizer: Regularizer?, biasRegularizer: Regularizer?
    public private(set) var kernel: Parameter?
    public private(set) var bias: Parameter?
    private var inputs = 0
    private var context: ExecutionContext?
    /// Set by ``Sequential`` when the loss fuses with this layer's activation.
    var outputGradientIsPreActivation = false

    /// - Throws: ``ConvKit/ConvKitError`` when `units < 1` or a regularizer factor is negative.
    public init(
        units: Int, activation: Activation = .none, kernelInitializer: Initializer = .glorotUniform,
        biasInitializer: Initializer = .zeros, kernelRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil
    ) throws {
        try kernelRegularizer?.validate("kernelRegularizer")
        try biasRegularizer?.validate("biasRegularizer")
        self.kernelRegularizer = kernelRegularizer
        self.biasRegularizer = biasRegularizer
        guard units >= 1 else { throw ConvKitError.invalidArgument(name: "units", message: "must be at least 1, got \(units)") }
        self.units = units
        self.activation = activation
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        guard input.isFlat else {
            throw ConvKitError.invalidArgument(name: "input", message: "Dense expects a flat input (add Flatten), got \(input)")
        }
        return TensorShape(features: units)
    }

    public func build(input: TensorShape, generator: inout SplitMix64) throws {
        _ = try outputShape(for: input)
        inputs = input.count
        let k = Parameter(name: "kernel", shape: [inputs, units])
        kernelInitializer.fill(k.value, fanIn: inputs, fanOut: units, using: &generator)
        let b = Parameter(name: "bias", shape: [units])
        biasInitializer.fill(b.value, fanIn: inputs, fanOut: units, using: &generator)
        kernel = k
        bias = b
    }

    public var parameters: [Parameter] { [kernel, bias].compactMap { $0 } }
    public var configuration: [String: String] {
        var c = ["units": "\(units)", "activation": activation.rawValue]
        if let kernelRegularizer { c["kernel_regularizer"] = kernelRegularizer.description }
        if let biasRegularizer { c["bias_regularizer"] = biasRegularizer.description }
        return c
    }

    public var regularizedParameters: [(parameter: Parameter, regularizer: Regularizer)] {
        [(kernel, kernelRegularizer), (bias, biasRegularizer)].compactMap { p, r in p.flatMap { p in r.map { (p, $0) } } }
    }

    public func prepare(batch: Int, context: ExecutionContext) throws -> Int {
        self.context = context
        return 0
    }

    public func forward(
        _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, batch: Int, slice: Int, training: Bool,
        workspace: Workspace
    ) throws {
        try GEMM.sgemm(
            .noTranspose, .noTranspose, m: batch, n: units, k: inputs, alpha: 1, a: input, lda: inputs,
            b: kernel!.value.baseAddress, ldb: units, beta: 0, c: output, ldc: units, context: context)
        try Bias.add(
            UnsafeBufferPointer(bias!.value), to: UnsafeMutableBufferPointer(start: output, count: batch * units),
            activation: activation, context: context)
    }

    public func backward(
        input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafeMutablePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>?, batch: Int, slice: Int, workspace: Workspace
    ) throws {
        let dy = UnsafeMutableBufferPointer(start: outputGradient, count: batch * units)
        if !outputGradientIsPreActivation {
            try ActivationGradient.apply(
                activation, output: UnsafeBufferPointer(start: output, count: batch * units), to: dy, channels: units,
                context: context)
        }
        try GEMM.sgemm(
            .transpose, .noTranspose, m: inputs, n: units, k: batch, alpha: 1, a: input, lda: inputs,
            b: outputGradient, ldb: units, beta: 0, c: kernel!.gradient(slice: slice).baseAddress, ldc: units, context: context)
        try Bias.gradient(outputGradient: UnsafeBufferPointer(dy), into: bias!.gradient(slice: slice), context: context)
        if let inputGradient {
            try GEMM.sgemm(
                .noTranspose, .transpose, m: batch, n: inputs, k: units, alpha: 1, a: outputGradient, lda: units,
                b: kernel!.value.baseAddress, ldb: units, beta: 0, c: inputGradient, ldc: inputs, context: context)
        }
    }
}

extension Dense: OutputActivationFusing {
    var outputActivation: Activation { activation }
}
