import ConvKit
import Foundation

/// Training losses, Keras' definitions and names, each reduced as Keras' `sum_over_batch_size`:
/// the mean over the batch of the per-example loss (binary cross-entropy and mean squared error
/// first average over the outputs).
///
/// | Keras | ConvNN |
/// |---|---|
/// | `loss="sparse_categorical_crossentropy"` | `.sparseCategoricalCrossentropy()` |
/// | `SparseCategoricalCrossentropy(from_logits=True)` | `.sparseCategoricalCrossentropy(fromLogits: true)` |
/// | `loss="categorical_crossentropy"` | `.categoricalCrossentropy()` |
/// | `loss="binary_crossentropy"` | `.binaryCrossentropy()` |
/// | `loss="mse"` | `.meanSquaredError` |
///
/// Targets: integer labels for the sparse loss; for the others the dataset's target rows
/// (``Dataset/targets``), else one-hot rows of the labels (or, with one output, the label itself).
///
/// On probabilities (`fromLogits: false`), when the model's last layer ends in the matching
/// activation (softmax for categorical, sigmoid for binary cross-entropy), the loss and that
/// activation are fused as Keras does on TensorFlow: the gradient with respect to the
/// pre-activation is `y - t`, exact and stable however saturated the output. The reported value
/// then clamps the probabilities at the smallest normal float (cross-entropy at most 87.3 per
/// output). Without that activation the loss follows Keras' formula on probabilities: rows
/// normalised to sum 1 (categorical) and probabilities clipped to [1e-7, 1 - 1e-7].
public enum Loss: Sendable, Hashable, CustomStringConvertible {
    /// `-sum(t log p)` with one-hot or soft target rows.
    case categoricalCrossentropy(fromLogits: Bool = false)
    /// `-log p[label]` with integer labels.
    case sparseCategoricalCrossentropy(fromLogits: Bool = false)
    /// `-mean(t log p + (1 - t) log(1 - p))` over the outputs, targets in [0, 1].
    case binaryCrossentropy(fromLogits: Bool = false)
    /// `mean((y - t)^2)` over the outputs.
    case meanSquaredError

    /// Softmax cross-entropy from logits with integer labels (ConvKit's fused stable kernel).
    public static let softmaxCrossEntropy = Loss.sparseCategoricalCrossentropy(fromLogits: true)

    /// Keras' epsilon for clipping probabilities.
    static let epsilon: Float = 1e-7

    public var description: String {
        switch self {
        case .categoricalCrossentropy(let l): "categorical_crossentropy(from_logits=\(l))"
        case .sparseCategoricalCrossentropy(let l): "sparse_categorical_crossentropy(from_logits=\(l))"
        case .binaryCrossentropy(let l): "binary_crossentropy(from_logits=\(l))"
        case .meanSquaredError: "mean_squared_error"
        }
    }

    /// The output activation this loss fuses with when the model ends in it.
    var fusableActivation: Activation? {
        switch self {
        case .categoricalCrossentropy(false), .sparseCategoricalCrossentropy(false): .softmax
        case .binaryCrossentropy(false): .sigmoid
        default: nil
        }
    }

    /// Whether the model's outputs are logits (accuracy thresholds them at 0, not 0.5).
    var takesLogits: Bool {
        switch self {
        case .categoricalCrossentropy(let l), .sparseCategoricalCrossentropy(let l), .binaryCrossentropy(let l): l
        case .meanSquaredError: false
        }
    }

    /// Throws unless `data` has what this loss needs for a model with `outputs` outputs.
    func check(_ data: Dataset, outputs: Int) throws {
        if let targets = data.targets {
            guard data.targetWidth == outputs, targets.count == data.count * outputs else {
                throw ConvKitError.invalidArgument(
                    name: "targets", message: "rows have \(data.targetWidth) floats but the model has \(outputs) outputs")
            }
            if case .sparseCategoricalCrossentropy = self {
                throw ConvKitError.invalidArgument(
                    name: "loss", message: "sparseCategoricalCrossentropy takes integer labels; the data has target rows (use categoricalCrossentropy)")
            }
            if case .binaryCrossentropy = self, let bad = targets.firstIndex(where: { $0 < 0 || $0 > 1 }) {
                throw ConvKitError.invalidArgument(
                    name: "targets", message: "example \(bad / outputs) has target \(targets[bad]), expected 0...1 for binary cross-entropy")
            }
            return
        }
        let limit: Int32
        if case .sparseCategoricalCrossentropy = self { limit = Int32(outputs) } else { limit = outputs == 1 ? 2 : Int32(outputs) }
        if let bad = data.labels.firstIndex(where: { $0 < 0 || $0 >= limit }) {
            let what = outputs == 1 && limit == 2 ? "0 or 1 (the target of the one output)" : "0..<\(outputs)"
            throw ConvKitError.invalidArgument(name: "labels", message: "example \(bad) has label \(data.labels[bad]), expected \(what)")
        }
    }

    /// Returns the mean loss over `rows = labels.count` examples and writes dL/doutput into
    /// `gradient` (or dL/dpre-activation when `fused`, the output layer's matching activation).
    /// - Parameter targets: `rows x classes` target floats, or nil to build them from the labels.
    func evaluate(
        outputs: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<Int32>, targets: UnsafeBufferPointer<Float>?,
        classes: Int, fused: Bool, gradient: UnsafeMutableBufferPointer<Float>?, meanOver: Int? = nil
    ) throws -> Float {
        let rows = labels.count, divisor = meanOver ?? rows
        guard outputs.count == rows * classes else {
            throw ConvKitError.invalidArgument(name: "outputs", message: "has \(outputs.count) floats, expected \(rows) x \(classes)")
        }
        if case .sparseCategoricalCrossentropy(true) = self, targets == nil {
            return try SoftmaxCrossEntropy.loss(logits: outputs, labels: labels, classes: classes, gradient: gradient, meanOver: divisor)
        }
        func target(_ r: Int, _ j: Int) -> Double {
            if let targets { return Double(targets[r * classes + j]) }
            if classes == 1 { return Double(labels[r]) }
            return j == Int(labels[r]) ? 1 : 0
        }
        // Per-row scratch on the stack: a training step allocates nothing.
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * classes) { scratch in
            let t = UnsafeMutableBufferPointer(rebasing: scratch[0..<classes])
            let g = UnsafeMutableBufferPointer(rebasing: scratch[classes..<(2 * classes)])
            return rowLosses(outputs, rows, divisor, classes, fused, gradient, t, g, target)
        }
    }

    private func rowLosses(
        _ outputs: UnsafeBufferPointer<Float>, _ rows: Int, _ divisor: Int, _ classes: Int, _ fused: Bool,
        _ gradient: UnsafeMutableBufferPointer<Float>?, _ t: UnsafeMutableBufferPointer<Double>,
        _ g: UnsafeMutableBufferPointer<Double>, _ target: (Int, Int) -> Double
    ) -> Float {
        let eps = Double(Loss.epsilon), tiny = Double(Float.leastNormalMagnitude)
        var total = 0.0
        for r in 0..<rows {
            let y = UnsafeBufferPointer(rebasing: outputs[(r * classes)..<((r + 1) * classes)])
            for j in 0..<classes { t[j] = target(r, j) }
            var tSum = 0.0
            for j in 0..<classes { tSum += t[j] }
            switch self {
            case .categoricalCrossentropy(let logits), .sparseCategoricalCrossentropy(let logits):
                if logits {
                    let m = Double(y.max()!)
                    let lse = m + log(y.reduce(0.0) { $0 + exp(Double($1) - m) })
                    for j in 0..<classes {
                        total -= t[j] * (Double(y[j]) - lse)
                        g[j] = exp(Double(y[j]) - lse) * tSum - t[j]
                    }
                } else if fused {
                    for j in 0..<classes {
                        if t[j] != 0 { total -= t[j] * log(max(Double(y[j]), tiny)) }
                        g[j] = Double(y[j]) * tSum - t[j]
                    }
                } else {
                    // Keras on probabilities: p = y / sum(y), clipped to [eps, 1 - eps].
                    let s = y.reduce(0.0) { $0 + Double($1) }
                    var dot = 0.0
                    for j in 0..<classes {
                        let p = Double(y[j]) / s, pc = min(max(p, eps), 1 - eps)
                        total -= t[j] * log(pc)
                        g[j] = p > eps && p < 1 - eps ? -t[j] / p : 0
                        dot += g[j] * p
                    }
                    for j in 0..<classes { g[j] = (g[j] - dot) / s }
                }
            case .binaryCrossentropy(let logits):
                for j in 0..<classes {
                    let v = Double(y[j])
                    if logits {
                        total += (max(v, 0) - v * t[j] + log1p(exp(-abs(v)))) / Double(classes)
                        g[j] = (1 / (1 + exp(-v)) - t[j]) / Double(classes)
                    } else if fused {
                        total -= (t[j] * log(max(v, tiny)) + (1 - t[j]) * log(max(1 - v, tiny))) / Double(classes)
                        g[j] = (v - t[j]) / Double(classes)
                    } else {
                        let p = min(max(v, eps), 1 - eps)
                        total -= (t[j] * log(p) + (1 - t[j]) * log(1 - p)) / Double(classes)
                        g[j] = v > eps && v < 1 - eps ? (-(t[j] / p) + (1 - t[j]) / (1 - p)) / Double(classes) : 0
                    }
                }
            case .meanSquaredError:
                for j in 0..<classes {
                    let d = Double(y[j]) - t[j]
                    total += d * d / Double(classes)
                    g[j] = 2 * d / Double(classes)
                }
            }
            if let gradient {
                for j in 0..<classes { gradient[r * classes + j] = Float(g[j] / Double(divisor)) }
            }
        }
        return Float(total / Double(divisor))
    }

    /// Correctly predicted outputs and how many were judged: one per example (largest output
    /// against the label) for several outputs, one per output for binary cross-entropy or a
    /// single output (thresholded at 0.5, or 0 on logits, against target > 0.5) — Keras'
    /// `"accuracy"` metric for the loss.
    func accuracyCounts(
        outputs y: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<Int32>, targets: UnsafeBufferPointer<Float>?,
        rows: Int, classes: Int
    ) -> (correct: Int, total: Int) {
        let binary: Bool
        if case .binaryCrossentropy = self { binary = true } else { binary = classes == 1 }
        if binary {
            let threshold: Float = takesLogits ? 0 : 0.5
            var correct = 0
            for r in 0..<rows {
                for j in 0..<classes {
                    let truth = targets.map { $0[r * classes + j] > 0.5 } ?? (classes == 1 ? labels[r] == 1 : Int(labels[r]) == j)
                    if (y[r * classes + j] > threshold) == truth { correct += 1 }
                }
            }
            return (correct, rows * classes)
        }
        var correct = 0
        for r in 0..<rows {
            var best = 0
            for j in 1..<max(1, classes) where y[r * classes + j] > y[r * classes + best] { best = j }
            if best == Int(labels[r]) { correct += 1 }
        }
        return (correct, rows)
    }
}
