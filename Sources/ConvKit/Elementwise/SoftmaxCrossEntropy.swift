internal import ConvKitKernels

/// Softmax cross-entropy from logits over a batch, numerically stable (log-sum-exp in Double):
/// the mean loss and dL/dlogits in one pass.
public enum SoftmaxCrossEntropy {
    /// Returns `sum_r (logsumexp(z_r) - z_r[label_r]) / meanOver` over the `labels.count` rows of
    /// `logits` (`rows x classes`, row-major) and, when `gradient` is given, writes
    /// `(softmax(z_r) - onehot(label_r)) / meanOver` into it. `meanOver` defaults to the rows; a
    /// process holding part of a larger batch passes the whole batch's size.
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` for a label outside
    ///   `0..<classes` (naming the row) or buffers of the wrong length.
    public static func loss(
        logits: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<Int32>, classes: Int,
        gradient: UnsafeMutableBufferPointer<Float>? = nil, meanOver: Int? = nil
    ) throws -> Float {
        let rows = labels.count, divisor = meanOver ?? labels.count
        guard divisor >= rows else {
            throw ConvKitError.invalidArgument(name: "meanOver", message: "must be at least the \(rows) rows, got \(divisor)")
        }
        guard classes >= 1, rows >= 1 else {
            throw ConvKitError.invalidArgument(name: "labels", message: "need at least one row and one class, got \(rows) rows and \(classes) classes")
        }
        guard logits.count == rows * classes else {
            throw ConvKitError.invalidArgument(name: "logits", message: "has \(logits.count) elements, expected \(rows) rows x \(classes) classes")
        }
        if let gradient, gradient.count != logits.count {
            throw ConvKitError.invalidArgument(name: "gradient", message: "has \(gradient.count) elements, expected \(logits.count)")
        }
        if let bad = labels.firstIndex(where: { $0 < 0 || Int($0) >= classes }) {
            throw ConvKitError.invalidArgument(name: "labels", message: "row \(bad) has label \(labels[bad]), expected 0..<\(classes)")
        }
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: rows) { losses in
            ck_f32_softmax_xent(
                rows, classes, logits.baseAddress!, labels.baseAddress!, 1 / Float(divisor),
                losses.baseAddress!, gradient?.baseAddress)
            var sum = 0.0
            for l in losses { sum += Double(l) }
            return Float(sum / Double(divisor))
        }
    }
}
