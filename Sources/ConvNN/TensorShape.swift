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

    /// Floats per example.
    public var count: Int { height * width * channels }
    public var isFlat: Bool { height == 1 && width == 1 }

    /// Keras style: `(None, 30, 30, 32)`, or `(None, 64)` for a flat vector.
    public var description: String { isFlat ? "(None, \(channels))" : "(None, \(height), \(width), \(channels))" }
}
