/// The hyper-parameters of a 2-D convolution, independent of the tensor sizes.
public struct ConvolutionDescriptor: Sendable, Hashable, CustomStringConvertible {
    public let kernelHeight: Int
    public let kernelWidth: Int
    public let strideY: Int
    public let strideX: Int
    public let dilationY: Int
    public let dilationX: Int
    public let padding: Padding
    /// Channel groups: input and output channels are split into `groups` independent
    /// convolutions (`groups == inputChannels` is a depthwise convolution).
    public let groups: Int

    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` for a kernel size, stride,
    ///   dilation or group count below 1, negative explicit padding, or any of them (padding
    ///   included) above ``ConvKitError/maximumExtent``.
    public init(
        kernelHeight: Int, kernelWidth: Int, strideY: Int = 1, strideX: Int = 1,
        dilationY: Int = 1, dilationX: Int = 1, padding: Padding = .valid, groups: Int = 1
    ) throws {
        try ConvKitError.requireAtLeastOne([
            "kernelHeight": kernelHeight, "kernelWidth": kernelWidth, "strideY": strideY, "strideX": strideX,
            "dilationY": dilationY, "dilationX": dilationX, "groups": groups,
        ])
        try ConvKitError.requireNonNegative(padding)
        try ConvKitError.requireAtMostMaximumExtent([
            "kernelHeight": kernelHeight, "kernelWidth": kernelWidth, "strideY": strideY, "strideX": strideX,
            "dilationY": dilationY, "dilationX": dilationX, "groups": groups,
        ])
        try ConvKitError.requireAtMostMaximumExtent(padding)
        // The dilated kernel's extent `dilation * (kernel - 1) + 1` must fit too.
        try ConvKitError.requireAtMostMaximumExtent([
            "dilationY": ConvKitError.saturatingSpan(kernelHeight, dilationY),
            "dilationX": ConvKitError.saturatingSpan(kernelWidth, dilationX),
        ])
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.strideY = strideY
        self.strideX = strideX
        self.dilationY = dilationY
        self.dilationX = dilationX
        self.padding = padding
        self.groups = groups
    }

    /// A square kernel with equal strides and dilations on both axes.
    public init(kernel: Int, stride: Int = 1, dilation: Int = 1, padding: Padding = .valid, groups: Int = 1) throws {
        try self.init(
            kernelHeight: kernel, kernelWidth: kernel, strideY: stride, strideX: stride,
            dilationY: dilation, dilationX: dilation, padding: padding, groups: groups)
    }

    public var description: String {
        "k\(kernelHeight)x\(kernelWidth) s\(strideY)x\(strideX) d\(dilationY)x\(dilationX) \(padding) g\(groups)"
    }
}
