import ConvKit
internal import SVGCharts

/// Counts of (true class, predicted class) over a dataset: rows are the labels, columns the
/// model's largest output.
public struct ConfusionMatrix: Sendable, Equatable {
    public let classes: Int
    /// `counts[truth][prediction]`.
    public let counts: [[Int]]

    /// Runs `model` on `data` in inference mode.
    /// - Throws: ``ConvKit/ConvKitError`` for data that does not fit the model.
    public init(model: Sequential, data: Dataset) throws {
        let classes = model.outputShape.count
        let outputs = try model.predict(data.images)
        var counts = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        for r in 0..<data.count {
            var best = 0
            for j in 1..<classes where outputs[r * classes + j] > outputs[r * classes + best] { best = j }
            let truth = Int(data.labels[r])
            guard truth >= 0 && truth < classes else {
                throw ConvKitError.invalidArgument(name: "labels", message: "example \(r) has label \(truth), expected 0..<\(classes)")
            }
            counts[truth][best] += 1
        }
        self.classes = classes
        self.counts = counts
    }

    public var accuracy: Double {
        let total = counts.joined().reduce(0, +)
        return total == 0 ? 0 : Double((0..<classes).reduce(0) { $0 + counts[$1][$1] }) / Double(total)
    }

    /// Right-aligned rows of counts, the true class first.
    public var text: String {
        let width = max(5, String(counts.joined().max() ?? 0).count + 1)
        func pad(_ s: String) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }
        var lines = ["      " + (0..<classes).map { pad("\($0)") }.joined()]
        for (t, row) in counts.enumerated() { lines.append(pad("\(t)") + " " + row.map { pad("\($0)") }.joined()) }
        return lines.joined(separator: "\n")
    }

    /// A heatmap of each row's fractions, each cell annotated with its count.
    public func svg(title: String) -> String {
        let fractions = counts.map { row in
            let total = max(1, row.reduce(0, +))
            return row.map { Optional(Double($0) / Double(total)) }
        }
        let labels = (0..<classes).map(String.init)
        let counts = self.counts
        var chart = HeatmapChart(
            title: title, columnLabels: labels, rowLabels: labels, xLabel: "predicted", yLabel: "true", values: fractions, low: 0, high: 1)
        chart.cellText = { r, c, _ in "\(counts[r][c])" }
        return chart.svg(cell: 44)
    }
}
