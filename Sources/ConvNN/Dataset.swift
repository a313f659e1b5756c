import ConvKit

/// Labelled examples: `count` images of ``shape`` (NHWC floats, contiguous), their class labels
/// and, optionally, a target vector per example (one-hot or soft class targets, several binary
/// targets, regression values) for the losses that take one.
public struct Dataset: Sendable {
    public let shape: TensorShape
    public let images: [Float]
    /// Class indices (with one model output: the binary target, 0 or 1).
    public let labels: [Int32]
    /// `count x targetWidth` floats, row-major, or nil: the losses then build their targets from
    /// the labels (one-hot rows, or the label itself for a model with one output).
    public let targets: [Float]?
    public var count: Int { labels.count }
    /// Floats per target row (0 without targets).
    public var targetWidth: Int { targets.map { count == 0 ? 0 : $0.count / count } ?? 0 }

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
        targets = nil
    }

    /// Examples with target rows of `targetWidth` floats (Keras' `y` for categorical
    /// cross-entropy, binary cross-entropy or mean squared error). The labels (for accuracy) are
    /// each row's largest entry, or for one-float targets whether it is above 0.5.
    /// - Throws: ``ConvKit/ConvKitError`` when the sizes do not match or a target is not finite.
    public init(shape: TensorShape, images: [Float], targets: [Float], targetWidth: Int) throws {
        guard targetWidth >= 1 else {
            throw ConvKitError.invalidArgument(name: "targetWidth", message: "must be at least 1, got \(targetWidth)")
        }
        guard targets.count % targetWidth == 0 else {
            throw ConvKitError.invalidArgument(name: "targets", message: "has \(targets.count) floats, not a multiple of the target width \(targetWidth)")
        }
        if let bad = targets.firstIndex(where: { !$0.isFinite }) {
            throw ConvKitError.invalidArgument(name: "targets", message: "row \(bad / targetWidth) has the non-finite target \(targets[bad])")
        }
        let n = targets.count / targetWidth
        let labels = (0..<n).map { r -> Int32 in
            let row = targets[(r * targetWidth)..<((r + 1) * targetWidth)]
            if targetWidth == 1 { return row.first! > 0.5 ? 1 : 0 }
            return Int32(row.indices.max { row[$0] < row[$1] }! - r * targetWidth)
        }
        let plain = try Dataset(shape: shape, images: images, labels: labels)
        self.shape = plain.shape
        self.images = plain.images
        self.labels = labels
        self.targets = targets
    }

    private init(shape: TensorShape, images: [Float], labels: [Int32], targets: [Float]?) {
        self.shape = shape
        self.images = images
        self.labels = labels
        self.targets = targets
    }

    /// Examples `range` (clamped to the data), in order.
    public func slice(_ range: Range<Int>) -> Dataset {
        let lo = max(0, min(range.lowerBound, count)), hi = max(lo, min(range.upperBound, count))
        let w = targetWidth
        return Dataset(
            shape: shape, images: Array(images[(lo * shape.count)..<(hi * shape.count)]), labels: Array(labels[lo..<hi]),
            targets: targets.map { Array($0[(lo * w)..<(hi * w)]) })
    }

    /// The first `n` examples (all when `n >= count`).
    public func prefix(_ n: Int) -> Dataset { slice(0..<max(0, n)) }

    /// Keras' `validation_split`: the examples from `floor(count * (1 - fraction))` on (the last
    /// ones, before any shuffling) as validation data, the rest for training.
    /// - Throws: ``ConvKit/ConvKitError`` unless `0 < fraction < 1` leaves both parts non-empty.
    public func split(validationFraction fraction: Double) throws -> (training: Dataset, validation: Dataset) {
        let splitAt = fraction > 0 && fraction < 1 ? Int((Double(count) * (1 - fraction)).rounded(.down)) : 0
        guard splitAt >= 1, splitAt < count else {
            throw ConvKitError.invalidArgument(
                name: "validationSplit", message: "must be in (0, 1) and leave examples on both sides of the \(count), got \(fraction)")
        }
        return (slice(0..<splitAt), slice(splitAt..<count))
    }
}
