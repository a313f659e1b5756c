import ConvKit

/// Training losses over a batch of outputs and integer labels.
public enum Loss: String, Sendable, CaseIterable {
    /// Softmax cross-entropy from logits (ConvKit's stable kernel), mean over the batch.
    case softmaxCrossEntropy
    /// Mean squared error against the one-hot labels (mean over classes and batch).
    case meanSquaredError

    /// Returns the mean loss and writes dL/doutput (rows x classes) into `gradient`.
    func evaluate(
        outputs: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<Int32>, classes: Int,
        gradient: UnsafeMutableBufferPointer<Float>?
    ) throws -> Float {
        switch self {
        case .softmaxCrossEntropy:
            return try SoftmaxCrossEntropy.loss(logits: outputs, labels: labels, classes: classes, gradient: gradient)
        case .meanSquaredError:
            let rows = labels.count
            guard outputs.count == rows * classes else {
                throw ConvKitError.invalidArgument(name: "outputs", message: "has \(outputs.count) floats, expected \(rows) x \(classes)")
            }
            if let bad = labels.firstIndex(where: { $0 < 0 || Int($0) >= classes }) {
                throw ConvKitError.invalidArgument(name: "labels", message: "row \(bad) has label \(labels[bad]), expected 0..<\(classes)")
            }
            var sum = 0.0
            let scale = 2 / Float(rows * classes)
            for r in 0..<rows {
                for j in 0..<classes {
                    let diff = outputs[r * classes + j] - (j == Int(labels[r]) ? 1 : 0)
                    sum += Double(diff * diff)
                    gradient?[r * classes + j] = diff * scale
                }
            }
            return Float(sum / Double(rows * classes))
        }
    }
}
