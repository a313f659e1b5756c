/// The window of a 2-D pooling layer.
public struct PoolingDescriptor: Sendable, Hashable, CustomStringConvertible {
    public let windowHeight: Int
    public let windowWidth: Int
    public let strideY: Int
    public let strideX: Int
    public let padding: Padding
    /// PyTorch's `ceil_mode`: round the output size up; the last window may then start in the
    /// right/bottom padding only if it starts inside the input or the left/top padding.
    public let ceilMode: Bool
    /// Average pooling only. True: divide by the window area (clipped to the padded input);
    /// false: by the number of input elements in the window.
    public let countIncludePadding: Bool

    /// - Parameters: stride defaults to the window (non-overlapping pooling).
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` for a window or stride below 1 or
    ///   negative explicit padding.
    public init(
        windowHeight: Int, windowWidth: Int, strideY: Int? = nil, strideX: Int? = nil,
        padding: Padding = .valid, ceilMode: Bool = false, countIncludePadding: Bool = true
    ) throws {
        let sy = strideY ?? windowHeight, sx = strideX ?? windowWidth
        try ConvKitError.requireAtLeastOne(["windowHeight": windowHeight, "windowWidth": windowWidth, "strideY": sy, "strideX": sx])
        try ConvKitError.requireNonNegative(padding)
        try ConvKitError.requireAtMostMaximumExtent(["windowHeight": windowHeight, "windowWidth": windowWidth, "strideY": sy, "strideX": sx])
        try ConvKitError.requireAtMostMaximumExtent(padding)
        self.windowHeight = windowHeight
        self.windowWidth = windowWidth
        self.strideY = sy
        self.strideX = sx
        self.padding = padding
        self.ceilMode = ceilMode
        self.countIncludePadding = countIncludePadding
    }

    /// A square window with equal strides (default: the window).
    public init(
        window: Int, stride: Int? = nil, padding: Padding = .valid, ceilMode: Bool = false,
        countIncludePadding: Bool = true
    ) throws {
        try self.init(
            windowHeight: window, windowWidth: window, strideY: stride, strideX: stride, padding: padding,
            ceilMode: ceilMode, countIncludePadding: countIncludePadding)
    }

    public var description: String {
        "window \(windowHeight)x\(windowWidth) stride \(strideY)x\(strideX) \(padding)"
            + (ceilMode ? " ceil" : "") + (countIncludePadding ? "" : " exclude-pad")
    }
}

/// A pooling problem: input sizes, window, layout, and the derived output size and padding.
///
/// Output size per axis: `o = floor((i + padBefore + padAfter - k) / s) + 1`, or with
/// `ceilMode` `floor((i + padBefore + padAfter - k + s - 1) / s) + 1`, minus one if that last
/// window would start at or past `i + padBefore` (PyTorch's rule): in ceil mode a window may end
/// up to `s - 1` elements beyond the padded input (PyTorch gives a 1 x 2 output for a 1 x 3 input,
/// window 2 x 2, stride 2), and such windows are clipped. Every window must hold at least one
/// input element.
public struct PoolingShape: Sendable, Hashable, CustomStringConvertible {
    public let batch: Int
    public let inputHeight: Int
    public let inputWidth: Int
    public let channels: Int
    public let descriptor: PoolingDescriptor
    public let layout: TensorLayout
    public let outputHeight: Int
    public let outputWidth: Int
    public let padTop: Int, padBottom: Int, padLeft: Int, padRight: Int

    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` for sizes below 1, an empty
    ///   output, or a window that would hold no input element (padding too large).
    public init(
        batch: Int, inputHeight: Int, inputWidth: Int, channels: Int, descriptor: PoolingDescriptor,
        layout: TensorLayout = .nhwc
    ) throws {
        try ConvKitError.requireAtLeastOne(["batch": batch, "inputHeight": inputHeight, "inputWidth": inputWidth, "channels": channels])
        try ConvKitError.requireAtMostMaximumExtent(["batch": batch, "inputHeight": inputHeight, "inputWidth": inputWidth, "channels": channels])
        let d = descriptor
        let (top, bottom) = d.padding.amounts(vertical: true, input: inputHeight, kernel: d.windowHeight, stride: d.strideY, dilation: 1)
        let (left, right) = d.padding.amounts(vertical: false, input: inputWidth, kernel: d.windowWidth, stride: d.strideX, dilation: 1)
        func size(_ name: String, _ i: Int, _ before: Int, _ after: Int, _ k: Int, _ s: Int) throws -> Int {
            let span = i + before + after - k + (d.ceilMode ? s - 1 : 0)
            guard span >= 0 else {
                throw ConvKitError.invalidArgument(
                    name: "descriptor",
                    message: "the \(name) window (\(k)) is larger than the padded input (\(i + before + after))"
                        + (d.ceilMode ? " by a stride (\(s)) or more" : "") + "; the output would be empty")
            }
            var o = span / s + 1
            if d.ceilMode && (o - 1) * s >= i + before { o -= 1 }
            // The first and the last window must each hold an input element.
            guard before < k, (o - 1) * s - before < i else {
                throw ConvKitError.invalidArgument(
                    name: "padding", message: "\(name) padding \(before)/\(after) with window \(k) leaves a window with no input element")
            }
            return o
        }
        outputHeight = try size("vertical", inputHeight, top, bottom, d.windowHeight, d.strideY)
        outputWidth = try size("horizontal", inputWidth, left, right, d.windowWidth, d.strideX)
        _ = try ConvKitError.checkedProduct("channels", "input elements (n x h x w x c)", [batch, inputHeight, inputWidth, channels])
        _ = try ConvKitError.checkedProduct("channels", "output elements (n x h x w x c)", [batch, outputHeight, outputWidth, channels])
        self.batch = batch
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.channels = channels
        self.descriptor = descriptor
        self.layout = layout
        (padTop, padBottom, padLeft, padRight) = (top, bottom, left, right)
    }

    public var inputCount: Int { batch * inputHeight * inputWidth * channels }
    public var outputCount: Int { batch * outputHeight * outputWidth * channels }

    public var description: String {
        "n\(batch) h\(inputHeight) w\(inputWidth) c\(channels) \(descriptor) \(layout)"
    }
}
