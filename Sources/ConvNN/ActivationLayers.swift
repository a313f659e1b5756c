import ConvKit

/// An activation as a layer of its own (Keras' `Activation`), on ConvKit's
/// ``ConvKit/ActivationKernel``: elementwise kinds on every value, softmax over the last axis
/// (channels, or the features of a flat input).
///
/// | Keras | ConvNN |
/// |---|---|
/// | `Activation("tanh")` | `ActivationLayer(.tanh)` |
/// | `LeakyReLU(negative_slope=0.3)` | `LeakyReLU(negativeSlope: 0.3)` |
/// | `ELU(alpha=1.0)` | `ELU(alpha: 1)` |
/// | `Softmax()` | `Softmax()` |
/// | `ReLU()` | `ReLU()` |
public class ActivationLayer: Layer, OutputActivationFusing {
    public let typeName: String
    public var name: String
    public let activation: Activation
    /// Leaky ReLU's negative slope or ELU's alpha.
    public let alpha: Float
    public let configuration: [String: String]
    private var count = 0, channels = 1
    private var context: ExecutionContext?
    var outputGradientIsPreActivation = false

    /// Keras' `Activation(name)`: leaky ReLU with slope 0.2 and ELU with alpha 1, as Keras'
    /// string names give them.
    public convenience init(_ activation: Activation) {
        try! self.init(
            activation, alpha: activation.defaultAlpha, typeName: "Activation", name: "activation", configuration: ["activation": activation.rawValue])
    }

    init(_ activation: Activation, alpha: Float, typeName: String, name: String, configuration: [String: String]) throws {
        _ = try ActivationKernel.checkedAlpha(activation, alpha)
        self.activation = activation
        self.alpha = alpha
        self.typeName = typeName
        self.name = name
        self.configuration = configuration
    }

    var outputActivation: Activation { activation }

    public func outputShape(for input: TensorShape) throws -> TensorShape { input }
    public func build(input: TensorShape, generator: inout SplitMix64) throws {
        count = input.count
        channels = input.channels
    }
    public func prepare(batch: Int, context: ExecutionContext) throws -> Int {
        self.context = context
        return 0
    }

    public func forward(
        _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, batch: Int, slice: Int, training: Bool,
        workspace: Workspace
    ) throws {
        try ActivationKernel.forward(
            activation, alpha: alpha, UnsafeBufferPointer(start: input, count: batch * count),
            into: UnsafeMutableBufferPointer(start: output, count: batch * count), channels: channels, context: context)
    }

    public func backward(
        input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafeMutablePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>?, batch: Int, slice: Int, workspace: Workspace
    ) throws {
        guard let inputGradient else { return }
        let n = batch * count
        if outputGradientIsPreActivation {
            inputGradient.update(from: outputGradient, count: n)
            return
        }
        try ActivationKernel.backward(
            activation, alpha: alpha, output: UnsafeBufferPointer(start: output, count: n),
            outputGradient: UnsafeBufferPointer(start: outputGradient, count: n),
            inputGradient: UnsafeMutableBufferPointer(start: inputGradient, count: n), channels: channels, context: context)
    }
}

/// Keras' `LeakyReLU`: x for x > 0, else `negativeSlope * x` (default 0.3, as in Keras' layer).
public final class LeakyReLU: ActivationLayer {
    /// - Throws: ``ConvKit/ConvKitError`` unless `negativeSlope` is finite and >= 0.
    public init(negativeSlope: Float = 0.3) throws {
        try super.init(.leakyReLU, alpha: negativeSlope, typeName: "LeakyReLU", name: "leaky_re_lu", configuration: ["negative_slope": "\(negativeSlope)"])
    }
}

/// Keras' `ELU`: x for x > 0, else `alpha * (e^x - 1)` (default alpha 1).
public final class ELU: ActivationLayer {
    /// - Throws: ``ConvKit/ConvKitError`` unless `alpha` is finite and > 0.
    public init(alpha: Float = 1) throws {
        try super.init(.elu, alpha: alpha, typeName: "ELU", name: "elu", configuration: ["alpha": "\(alpha)"])
    }
}

/// Keras' `Softmax` over the last axis.
public final class Softmax: ActivationLayer {
    public init() {
        try! super.init(.softmax, alpha: 0, typeName: "Softmax", name: "softmax", configuration: ["axis": "-1"])
    }
}
