import ConvKit
/// The shape of one example's activation, channels last (NHWC without the batch): a dense
/// layer's output is `1 x 1 x units`.
public struct TensorShape: Hashable, Codable, Sendable, CustomStringConvertible {
    public var height: Int
    public var width: Int
    public var channels: Int

    public init(height: Int, width: Int, channels: Int) {
        self.height = height
        self.width = width
        self.channels = channels
    }

    /// A flat vector of `count` features.
    public init(features count: Int) { self.init(height: 1, width: 1, channels: count) }

    /// Floats per example (``validate()`` makes sure the product fits).
    public var count: Int { height &* width &* channels }

    /// Checks that every size is at least 1 and that the floats per example fit in `Int`.
    /// ``Sequential`` and ``Dataset`` call it on every shape they take.
    /// - Throws: ``ConvKit/ConvKitError`` naming the size that is wrong.
    public func validate(_ name: String = "shape") throws {
        for (axis, value) in [("height", height), ("width", width), ("channels", channels)] where value < 1 {
            throw ConvKitError.invalidArgument(name: name, message: "\(axis) must be at least 1, got \(value) in \(self)")
        }
        let (hw, o1) = height.multipliedReportingOverflow(by: width)
        let (hwc, o2) = hw.multipliedReportingOverflow(by: channels)
        guard !o1, !o2, !hwc.multipliedReportingOverflow(by: MemoryLayout<Float>.stride).overflow else {
            throw ConvKitError.invalidArgument(name: name, message: "\(height) x \(width) x \(channels) floats per example overflow a 64-bit count")
        }
    }
    public var isFlat: Bool { height == 1 && width == 1 }

    /// Keras style: `(None, 30, 30, 32)`, or `(None, 64)` for a flat vector.
    public var description: String { isFlat ? "(None, \(channels))" : "(None, \(height), \(width), \(channels))" }
}
