import ConvKit

/// Labelled examples: `count` images of ``shape`` (NHWC floats, contiguous) and their class labels.
public struct Dataset: Sendable {
    public let shape: TensorShape
    public let images: [Float]
    public let labels: [Int32]
    public var count: Int { labels.count }

    /// - Throws: ``ConvKit/ConvKitError`` when the image floats do not match `labels.count * shape.count`.
    public init(shape: TensorShape, images: [Float], labels: [Int32]) throws {
        try shape.validate()
        guard labels.count.multipliedReportingOverflow(by: shape.count) == (images.count, false) else {
            throw ConvKitError.invalidArgument(
                name: "images", message: "has \(images.count) floats; \(labels.count) labels of \(shape) need \(labels.count * shape.count)")
        }
        self.shape = shape
        self.images = images
        self.labels = labels
    }

    /// The first `n` examples (all when `n >= count`).
    public func prefix(_ n: Int) -> Dataset {
        let k = max(0, min(n, count))
        return try! Dataset(shape: shape, images: Array(images[0..<(k * shape.count)]), labels: Array(labels[0..<k]))
    }
}
