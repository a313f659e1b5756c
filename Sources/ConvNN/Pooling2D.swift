import ConvKit

/// The window and input of a pooling layer: what MaxPool2D and AvgPool2D share.
struct PoolingWindow {
    let descriptor: PoolingDescriptor
    var input = TensorShape(features: 0)

    func shape(batch: Int, _ input: TensorShape) throws -> PoolingShape {
        try PoolingShape(batch: batch, inputHeight: input.height, inputWidth: input.width, channels: input.channels, descriptor: descriptor)
    }

    func outputShape(for input: TensorShape) throws -> TensorShape {
        let s = try shape(batch: 1, input)
        return TensorShape(height: s.outputHeight, width: s.outputWidth, channels: input.channels)
    }

    var configuration: [String: String] {
        [
            "pool_size": "\(descriptor.windowHeight)x\(descriptor.windowWidth)", "strides": "\(descriptor.strideY)x\(descriptor.strideX)",
            "padding": "\(descriptor.padding)",
        ]
    }
}

/// 2-D max pooling (Keras' `MaxPool2D`): window `poolSize`, stride defaulting to the window.
/// Training records the argmax (ConvKit's ``ConvKit/MaxPooling``) so backward is a scatter.
public final class MaxPool2D: Layer {
    public let typeName = "MaxPool2D"
    public var name = "max_pooling2d"
    private var window: PoolingWindow
    private var poolings: [Int: MaxPooling] = [:]
    /// Argmax indices per concurrent slice of a batch.
    private var indices: [UnsafeMutableBufferPointer<Int32>] = []
    private var indexCapacity = 0
    private var context: ExecutionContext?
    /// Set when the previous layer's ReLU gradient is applied here (``LayerFusion``): backward
    /// first zeroes the output gradient where the pooled value is <= 0.
    private var appliesPreviousReLUGradient = false

    /// - Throws: ``ConvKit/ConvKitError`` for invalid sizes.
    public init(poolSize: Int = 2, strides: Int? = nil, padding: Padding = .valid) throws {
        window = PoolingWindow(descriptor: try PoolingDescriptor(window: poolSize, stride: strides, padding: padding))
    }

    public var descriptor: PoolingDescriptor { window.descriptor }
    public func outputShape(for input: TensorShape) throws -> TensorShape { try window.outputShape(for: input) }
    public func build(input: TensorShape, generator: inout SplitMix64) throws {
        _ = try window.outputShape(for: input)
        window.input = input
    }
    public var configuration: [String: String] { window.configuration }

    public func prepare(batch: Int, context: ExecutionContext) throws -> Int {
        let pool = try MaxPooling(shape: window.shape(batch: batch, window.input), context: context)
        poolings[batch] = pool
        self.context = context
        if pool.shape.outputCount > indexCapacity {
            indexCapacity = pool.shape.outputCount
            let count = max(1, indices.count)
            for buffer in indices { buffer.deallocate() }
            indices = []
            reserve(slices: count)
        }
        return pool.workspaceCount
    }

    public func reserve(slices count: Int) {
        while indices.count < count {
            let buffer = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(1, indexCapacity))
            buffer.initialize(repeating: 0)
            indices.append(buffer)
        }
    }

    deinit { for buffer in indices { buffer.deallocate() } }

    private func pooling(_ batch: Int) throws -> MaxPooling { try prepared(poolings, batch: batch, layer: name) }

    public func forward(
        _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, batch: Int, slice: Int, training: Bool,
        workspace: Workspace
    ) throws {
        let p = try pooling(batch), s = p.shape
        try p.forward(
            input: UnsafeBufferPointer(start: input, count: s.inputCount),
            output: UnsafeMutableBufferPointer(start: output, count: s.outputCount),
            indices: training ? UnsafeMutableBufferPointer(rebasing: indices[slice][0..<s.outputCount]) : nil, workspace: workspace)
    }

    public func backward(
        input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafeMutablePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>?, batch: Int, slice: Int, workspace: Workspace
    ) throws {
        guard let inputGradient else { return }
        let p = try pooling(batch), s = p.shape
        if appliesPreviousReLUGradient {
            let dy = UnsafeMutableBufferPointer(start: outputGradient, count: s.outputCount)
            try ReLUKernel.backward(
                output: UnsafeBufferPointer(start: output, count: s.outputCount),
                outputGradient: UnsafeBufferPointer(dy), inputGradient: dy, context: context)
        }
        try p.backward(
            outputGradient: UnsafeBufferPointer(start: outputGradient, count: s.outputCount),
            indices: UnsafeBufferPointer(rebasing: indices[slice][0..<s.outputCount]),
            inputGradient: UnsafeMutableBufferPointer(start: inputGradient, count: s.inputCount), workspace: workspace)
    }
}

/// 2-D average pooling (Keras' `AveragePooling2D`), on ConvKit's ``ConvKit/AveragePooling``.
public final class AvgPool2D: Layer {
    public let typeName = "AvgPool2D"
    public var name = "average_pooling2d"
    private var window: PoolingWindow
    private var poolings: [Int: AveragePooling] = [:]

    /// - Throws: ``ConvKit/ConvKitError`` for invalid sizes.
    public init(poolSize: Int = 2, strides: Int? = nil, padding: Padding = .valid, countIncludePadding: Bool = false) throws {
        window = PoolingWindow(
            descriptor: try PoolingDescriptor(
                window: poolSize, stride: strides, padding: padding,
                countIncludePadding: countIncludePadding))
    }

    public var descriptor: PoolingDescriptor { window.descriptor }
    public func outputShape(for input: TensorShape) throws -> TensorShape { try window.outputShape(for: input) }
    public func build(input: TensorShape, generator: inout SplitMix64) throws {
        _ = try window.outputShape(for: input)
        window.input = input
    }
    public var configuration: [String: String] { window.configuration }

    public func prepare(batch: Int, context: ExecutionContext) throws -> Int {
        let pool = try AveragePooling(shape: window.shape(batch: batch, window.input), context: context)
        poolings[batch] = pool
        return pool.workspaceCount
    }

    public func forward(
        _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, batch: Int, slice: Int, training: Bool,
        workspace: Workspace
    ) throws {
        let p = try prepared(poolings, batch: batch, layer: name)
        try p.forward(
            input: UnsafeBufferPointer(start: input, count: p.shape.inputCount),
            output: UnsafeMutableBufferPointer(start: output, count: p.shape.outputCount), workspace: workspace)
    }

    public func backward(
        input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafeMutablePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>?, batch: Int, slice: Int, workspace: Workspace
    ) throws {
        guard let inputGradient else { return }
        let p = try prepared(poolings, batch: batch, layer: name)
        try p.backward(
            outputGradient: UnsafeBufferPointer(start: outputGradient, count: p.shape.outputCount),
            inputGradient: UnsafeMutableBufferPointer(start: inputGradient, count: p.shape.inputCount), workspace: workspace)
    }
}

extension MaxPool2D: ReLUGradientAbsorbing {
    func applyPreviousReLUGradient() { appliesPreviousReLUGradient = true }
}
