import ConvKit

/// A 2-D convolution layer (Keras' `Conv2D`): NHWC activations, HWIO kernel
/// `[kh, kw, cin / groups, filters]`, bias `[filters]`, an activation. Runs ConvKit's
/// ``ConvKit/Convolution`` (forward with bias and the activation fused into the epilogue;
/// softmax, across channels, as one pass over the output).
///
/// Keras: `Conv2D(10, (3, 3), activation="relu", kernel_regularizer=l2(1e-3))`; ConvNN:
/// `Conv2D(filters: 10, kernelSize: 3, activation: .relu, kernelRegularizer: .l2(1e-3))`.
public final class Conv2D: Layer {
    public let typeName = "Conv2D"
    public var name = "conv2d"
    public let filters: Int
    public let descriptor: ConvolutionDescriptor
    public let activation: Activation
    public let algorithm: ConvolutionAlgorithm
    /// How the kernel and the bias are drawn at build (Keras' defaults: Glorot uniform, zeros).
    public let kernelInitializer: Initializer, biasInitializer: Initializer
    /// Penalties on the kernel and the bias (none by default, as in Keras).
    public let kernelRegularizer: Regularizer?, biasRegularizer: Regularizer?
    public private(set) var kernel: Parameter?
    public private(set) var bias: Parameter?
    private var input = TensorShape(features: 0)
    private var convolutions: [Int: Convolution] = [:]
    private var context: ExecutionContext?
    /// Set when the next layer (a ``MaxPool2D``) applies this layer's ReLU gradient mask on its
    /// smaller output gradient (``LayerFusion``), which is exact: the gradient reaches only window
    /// maxima, where ReLU's output is the pooled value.
    private var reluGradientAppliedByNextLayer = false
    /// Set by ``Sequential`` when the loss fuses with this layer's activation.
    var outputGradientIsPreActivation = false

    /// - Throws: ``ConvKit/ConvKitError`` for invalid sizes.
    public init(
        filters: Int, kernelSize: Int, strides: Int = 1, padding: Padding = .valid, dilation: Int = 1,
        groups: Int = 1, activation: Activation = .none, algorithm: ConvolutionAlgorithm = .auto,
        kernelInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros,
        kernelRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil
    ) throws {
        try kernelRegularizer?.validate("kernelRegularizer")
        try biasRegularizer?.validate("biasRegularizer")
        self.kernelRegularizer = kernelRegularizer
        self.biasRegularizer = biasRegularizer
        guard filters >= 1 else { throw ConvKitError.invalidArgument(name: "filters", message: "must be at least 1, got \(filters)") }
        self.filters = filters
        descriptor = try ConvolutionDescriptor(kernel: kernelSize, stride: strides, dilation: dilation, padding: padding, groups: groups)
        self.activation = activation
        self.algorithm = algorithm
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
    }

    private func shape(batch: Int, _ input: TensorShape) throws -> ConvolutionShape {
        try ConvolutionShape(
            batch: batch, inputHeight: input.height, inputWidth: input.width, inputChannels: input.channels,
            outputChannels: filters, descriptor: descriptor)
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        let s = try shape(batch: 1, input)
        return TensorShape(height: s.outputHeight, width: s.outputWidth, channels: filters)
    }

    public func build(input: TensorShape, generator: inout SplitMix64) throws {
        let s = try shape(batch: 1, input)
        self.input = input
        let k = Parameter(name: "kernel", shape: [s.kernelHeight, s.kernelWidth, s.groupInputChannels, filters])
        let taps = s.kernelHeight * s.kernelWidth
        kernelInitializer.fill(k.value, fanIn: taps * s.groupInputChannels, fanOut: taps * filters, using: &generator)
        let b = Parameter(name: "bias", shape: [filters])
        biasInitializer.fill(b.value, fanIn: taps * s.groupInputChannels, fanOut: taps * filters, using: &generator)
        kernel = k
        bias = b
        convolutions = [:]
    }

    public var parameters: [Parameter] { [kernel, bias].compactMap { $0 } }

    public var configuration: [String: String] {
        [
            "filters": "\(filters)", "kernel_size": "\(descriptor.kernelHeight)x\(descriptor.kernelWidth)",
            "strides": "\(descriptor.strideY)x\(descriptor.strideX)", "dilation": "\(descriptor.dilationY)x\(descriptor.dilationX)",
            "padding": "\(descriptor.padding)", "groups": "\(descriptor.groups)", "activation": activation.rawValue,
        ].merging(
            [("kernel_regularizer", kernelRegularizer?.description), ("bias_regularizer", biasRegularizer?.description)]
                .compactMap { k, v in v.map { (k, $0) } }
        ) { a, _ in a }
    }

    public var regularizedParameters: [(parameter: Parameter, regularizer: Regularizer)] {
        [(kernel, kernelRegularizer), (bias, biasRegularizer)].compactMap { p, r in p.flatMap { p in r.map { (p, $0) } } }
    }

    public func prepare(batch: Int, context: ExecutionContext) throws -> Int {
        let conv = try Convolution(shape: shape(batch: batch, input), algorithm: algorithm, context: context)
        convolutions[batch] = conv
        self.context = context
        return ConvolutionPass.allCases.map { conv.workspaceCount(for: $0) }.max()!
    }

    private func convolution(_ batch: Int) throws -> Convolution {
        try prepared(convolutions, batch: batch, layer: name)
    }

    public func forward(
        _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, batch: Int, slice: Int, training: Bool,
        workspace: Workspace
    ) throws {
        let conv = try convolution(batch), s = conv.shape
        try conv.forward(
            input: UnsafeBufferPointer(start: input, count: s.inputCount),
            weights: UnsafeBufferPointer(kernel!.value), bias: UnsafeBufferPointer(bias!.value),
            output: UnsafeMutableBufferPointer(start: output, count: s.outputCount),
            activation: activation, workspace: workspace)
    }

    public func backward(
        input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafeMutablePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>?, batch: Int, slice: Int, workspace: Workspace
    ) throws {
        let conv = try convolution(batch), s = conv.shape
        let dy = UnsafeMutableBufferPointer(start: outputGradient, count: s.outputCount)
        if !reluGradientAppliedByNextLayer && !outputGradientIsPreActivation {
            try ActivationGradient.apply(
                activation, output: UnsafeBufferPointer(start: output, count: s.outputCount), to: dy, channels: filters,
                context: context)
        }
        try conv.backwardWeights(
            input: UnsafeBufferPointer(start: input, count: s.inputCount), outputGradient: UnsafeBufferPointer(dy),
            weightGradient: kernel!.gradient(slice: slice), biasGradient: bias!.gradient(slice: slice), workspace: workspace)
        if let inputGradient {
            try conv.backwardData(
                outputGradient: UnsafeBufferPointer(dy), weights: UnsafeBufferPointer(kernel!.value),
                inputGradient: UnsafeMutableBufferPointer(start: inputGradient, count: s.inputCount),
                workspace: workspace)
        }
    }
}

extension Conv2D: ReLUGradientDeferring {
    var outputIsReLU: Bool { activation == .relu }
    func deferReLUGradientToNextLayer() { reluGradientAppliedByNextLayer = true }
}

extension Conv2D: OutputActivationFusing {
    var outputActivation: Activation { activation }
}
