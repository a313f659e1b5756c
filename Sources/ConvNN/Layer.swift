import ConvKit

/// The interface of a layer of a ``Sequential`` model. Activations are NHWC (`batch` examples of
/// ``TensorShape``), contiguous floats. Layers run ConvKit's kernels on buffers the model plans
/// once per batch size, so a training step allocates nothing.
public protocol Layer: AnyObject {
    /// Keras' class name (`Conv2D`).
    var typeName: String { get }
    /// The layer's name in summaries and model files (`conv2d_1`); the model assigns one.
    var name: String { get set }
    /// The output shape for an input shape.
    /// - Throws: ``ConvKit/ConvKitError`` when the layer cannot take this input.
    func outputShape(for input: TensorShape) throws -> TensorShape
    /// Creates the parameters for `input` (Keras' initialisers, drawn from `generator`).
    func build(input: TensorShape, generator: inout SplitMix64) throws
    /// Trainable tensors (empty for layers without any).
    var parameters: [Parameter] { get }
    /// Tensors the layer keeps but training does not update through gradients (batch
    /// normalization's moving mean and variance); saved in model files after ``parameters``.
    var nonTrainableParameters: [Parameter] { get }
    /// The parameters with a penalty added to the loss (Keras' kernel and bias regularizers).
    var regularizedParameters: [(parameter: Parameter, regularizer: Regularizer)] { get }
    /// The configuration written to a model file (`filters`, `kernel_size`...).
    var configuration: [String: String] { get }
    /// Prepares the kernels for `batch` examples; returns the workspace floats a call needs.
    func prepare(batch: Int, context: ExecutionContext) throws -> Int
    /// Makes room for `count` slices of a batch run at the same time (per-slice state such as
    /// pooling indices); called before the slices' ``prepare(batch:context:)``.
    func reserve(slices count: Int)
    /// `output = layer(input)` for `batch` examples (already prepared), as slice `slice` of a
    /// batch: slices run concurrently, each with its own workspace and parameter gradients.
    func forward(
        _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, batch: Int, slice: Int, training: Bool,
        workspace: Workspace) throws
    /// Computes the parameters' gradients of this slice (overwriting `gradient(slice:)`) and, when
    /// `inputGradient` is not nil, dL/dInput. May overwrite `outputGradient` (it is consumed).
    func backward(
        input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafeMutablePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>?, batch: Int, slice: Int, workspace: Workspace) throws
}

extension Layer {
    public var parameters: [Parameter] { [] }
    public var nonTrainableParameters: [Parameter] { [] }
    public var regularizedParameters: [(parameter: Parameter, regularizer: Regularizer)] { [] }
    /// Trainable then non-trainable tensors: what a model file stores for the layer.
    public var weights: [Parameter] { parameters + nonTrainableParameters }
    public var configuration: [String: String] { [:] }
    public func build(input: TensorShape, generator: inout SplitMix64) throws {}
    public func prepare(batch: Int, context: ExecutionContext) throws -> Int { 0 }
    public func reserve(slices count: Int) {}
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }
}

/// Builds the layer list of a ``Sequential`` model.
@resultBuilder
public enum LayerBuilder {
    public static func buildExpression(_ layer: any Layer) -> [any Layer] { [layer] }
    public static func buildBlock(_ parts: [any Layer]...) -> [any Layer] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [any Layer]?) -> [any Layer] { part ?? [] }
    public static func buildEither(first part: [any Layer]) -> [any Layer] { part }
    public static func buildEither(second part: [any Layer]) -> [any Layer] { part }
    public static func buildArray(_ parts: [[any Layer]]) -> [any Layer] { parts.flatMap { $0 } }
}

/// The kernel object a layer made for `batch` in ``Layer/prepare(batch:context:)``.
/// - Throws: ``ConvKit/ConvKitError`` naming the layer when it was not prepared for that batch.
func prepared<Kernel>(_ kernels: [Int: Kernel], batch: Int, layer: String) throws -> Kernel {
    guard let kernel = kernels[batch] else {
        throw ConvKitError.invalidArgument(name: "batch", message: "layer \(layer) was not prepared for batch \(batch)")
    }
    return kernel
}
