internal import ConvKitReference

/// A convolution problem: tensor sizes, hyper-parameters and layout, with the derived output
/// size and padding. Element counts are in floats.
///
/// Output size per axis: `o = floor((i + padBefore + padAfter - d * (k - 1) - 1) / s) + 1`.
public struct ConvolutionShape: Sendable, Hashable, CustomStringConvertible {
    public let batch: Int
    public let inputHeight: Int
    public let inputWidth: Int
    public let inputChannels: Int
    public let outputChannels: Int
    public let descriptor: ConvolutionDescriptor
    public private(set) var layout: TensorLayout
    public let outputHeight: Int
    public let outputWidth: Int
    public let padTop: Int
    public let padBottom: Int
    public let padLeft: Int
    public let padRight: Int

    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` for sizes below 1, channel
    ///   counts not divisible by `descriptor.groups`, or a descriptor that leaves an empty output
    ///   (the message names the sizes), a size above ``ConvKitError/maximumExtent``, or element
    ///   counts (input, output, weights) or a flop count whose product overflows `Int`.
    public init(
        batch: Int, inputHeight: Int, inputWidth: Int, inputChannels: Int, outputChannels: Int,
        descriptor: ConvolutionDescriptor, layout: TensorLayout = .nhwc
    ) throws {
        try ConvKitError.requireAtLeastOne([
            "batch": batch, "inputHeight": inputHeight, "inputWidth": inputWidth,
            "inputChannels": inputChannels, "outputChannels": outputChannels,
        ])
        try ConvKitError.requireAtMostMaximumExtent([
            "batch": batch, "inputHeight": inputHeight, "inputWidth": inputWidth,
            "inputChannels": inputChannels, "outputChannels": outputChannels,
        ])
        let g = descriptor.groups
        guard inputChannels % g == 0, outputChannels % g == 0 else {
            throw ConvKitError.invalidArgument(
                name: "groups", message: "\(g) groups must divide both inputChannels (\(inputChannels)) and outputChannels (\(outputChannels))")
        }
        let (top, bottom) = descriptor.padding.amounts(
            vertical: true, input: inputHeight, kernel: descriptor.kernelHeight,
            stride: descriptor.strideY, dilation: descriptor.dilationY)
        let (left, right) = descriptor.padding.amounts(
            vertical: false, input: inputWidth, kernel: descriptor.kernelWidth,
            stride: descriptor.strideX, dilation: descriptor.dilationX)
        let spanY = descriptor.dilationY * (descriptor.kernelHeight - 1) + 1
        let spanX = descriptor.dilationX * (descriptor.kernelWidth - 1) + 1
        let paddedY = inputHeight + top + bottom, paddedX = inputWidth + left + right
        guard paddedY >= spanY, paddedX >= spanX else {
            throw ConvKitError.invalidArgument(
                name: "descriptor",
                message: "the dilated kernel (\(spanY) x \(spanX)) is larger than the padded input (\(paddedY) x \(paddedX)); the output would be empty")
        }
        let outputHeight = (paddedY - spanY) / descriptor.strideY + 1
        let outputWidth = (paddedX - spanX) / descriptor.strideX + 1
        // Every count the kernels and callers compute must fit in Int (checked once here, so the
        // count properties below cannot trap).
        _ = try ConvKitError.checkedProduct(
            "inputChannels", "input elements (n x h x w x c)",
            [batch, inputHeight, inputWidth, inputChannels])
        let outputs = try ConvKitError.checkedProduct(
            "outputChannels", "output elements (n x h x w x c)",
            [batch, outputHeight, outputWidth, outputChannels])
        _ = try ConvKitError.checkedProduct(
            "descriptor", "weights (kh x kw x cin/groups x cout)",
            [descriptor.kernelHeight, descriptor.kernelWidth, inputChannels / g, outputChannels])
        _ = try ConvKitError.checkedProduct(
            "descriptor", "multiply-adds (outputs x kh x kw x cin/groups) x 2",
            [outputs, descriptor.kernelHeight, descriptor.kernelWidth, inputChannels / g, 2])
        self.batch = batch
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.descriptor = descriptor
        self.layout = layout
        self.padTop = top
        self.padBottom = bottom
        self.padLeft = left
        self.padRight = right
        self.outputHeight = outputHeight
        self.outputWidth = outputWidth
    }

    public var groups: Int { descriptor.groups }
    public var kernelHeight: Int { descriptor.kernelHeight }
    public var kernelWidth: Int { descriptor.kernelWidth }
    /// Input channels per group.
    public var groupInputChannels: Int { inputChannels / groups }
    /// Output channels per group.
    public var groupOutputChannels: Int { outputChannels / groups }
    /// Input element count `batch * inputHeight * inputWidth * inputChannels`.
    public var inputCount: Int { batch * inputHeight * inputWidth * inputChannels }
    /// Output element count `batch * outputHeight * outputWidth * outputChannels`.
    public var outputCount: Int { batch * outputHeight * outputWidth * outputChannels }
    /// Weight element count `kernelHeight * kernelWidth * (inputChannels / groups) * outputChannels`.
    public var weightCount: Int { kernelHeight * kernelWidth * groupInputChannels * outputChannels }
    /// Floating-point operations of one pass: `2 * N * Cout * Hout * Wout * (Cin / groups) * Kh * Kw`.
    public var flops: Double {
        2 * Double(batch * outputChannels * outputHeight * outputWidth) * Double(groupInputChannels * kernelHeight * kernelWidth)
    }

    /// This shape in the other layout (same sizes and hyper-parameters).
    public func with(layout: TensorLayout) -> ConvolutionShape {
        // Only the layout changes: the checked sizes stay valid (and a call path allocates nothing).
        var copy = self
        copy.layout = layout
        return copy
    }

    /// One line that `convbench conv --problem` accepts back.
    public var description: String {
        "n\(batch) h\(inputHeight) w\(inputWidth) c\(inputChannels) o\(outputChannels) \(descriptor) \(layout)"
    }

    var referenceProblem: ReferenceConvolutionProblem {
        ReferenceConvolutionProblem(
            batch: batch, inputHeight: inputHeight, inputWidth: inputWidth, inputChannels: inputChannels,
            outputChannels: outputChannels, kernelHeight: kernelHeight, kernelWidth: kernelWidth,
            strideY: descriptor.strideY, strideX: descriptor.strideX, dilationY: descriptor.dilationY,
            dilationX: descriptor.dilationX, padTop: padTop, padLeft: padLeft, outputHeight: outputHeight,
            outputWidth: outputWidth, groups: groups, channelsFirst: layout == .nchw)
    }
}
