/// A grid of coloured cells (rows x columns) with each cell's value printed in it, axis labels
/// naming every row and column (the η and λ of a grid search), and a colour-scale legend.
/// Colours run from `low` to `high` on a perceptual scale (viridis); a nil cell is left grey.
public struct HeatmapChart: Sendable {
    public var title: String
    /// Labels of the columns (x axis, left to right) and rows (y axis, top to bottom).
    public var columnLabels: [String], rowLabels: [String]
    public var xLabel: String, yLabel: String
    /// `values[row][column]`.
    public var values: [[Double?]]
    /// The colour scale's ends (by default the values' range).
    public var low: Double?, high: Double?
    /// Formats a cell's printed value and the legend's (by default two decimals).
    public var format: @Sendable (Double) -> String
    /// The text printed in cell (row, column) with value v, when not `format(v)` (a count).
    public var cellText: (@Sendable (_ row: Int, _ column: Int, _ value: Double) -> String)?

    public init(
        title: String, columnLabels: [String], rowLabels: [String], xLabel: String, yLabel: String, values: [[Double?]],
        low: Double? = nil, high: Double? = nil, format: @escaping @Sendable (Double) -> String = HeatmapChart.twoDecimals
    ) {
        self.title = title; self.columnLabels = columnLabels; self.rowLabels = rowLabels
        self.xLabel = xLabel; self.yLabel = yLabel; self.values = values
        self.low = low; self.high = high; self.format = format
    }

    /// `v` with two decimals ("0.97", "-1.50").
    public static func twoDecimals(_ v: Double) -> String {
        guard v.isFinite else { return "\(v)" }
        let hundredths = Int((v * 100).rounded())
        let sign = hundredths < 0 ? "-" : "", m = abs(hundredths)
        return "\(sign)\(m / 100).\(m % 100 < 10 ? "0" : "")\(m % 100)"
    }

    /// The chart as a standalone SVG document.
    public func svg(cell: Int = 64) -> String {
        let width = 110 + columnLabels.count * cell + 110, height = 60 + rowLabels.count * cell + 70
        return SVGDocument.make(
            width: width, height: height, title: title,
            body: render(in: SVGFrame(x: 0, y: 0, width: Double(width), height: Double(height)), cell: Double(cell)))
    }

    /// The colour of `fraction` in [0, 1] on the viridis scale (linear between 5 anchors).
    public static func color(_ fraction: Double) -> String {
        let anchors: [(Double, Double, Double)] = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]
        let f = min(1, max(0, fraction.isFinite ? fraction : 0)) * Double(anchors.count - 1)
        let i = min(anchors.count - 2, Int(f)), t = f - Double(i)
        let (a, b) = (anchors[i], anchors[i + 1])
        func mix(_ x: Double, _ y: Double) -> Int { Int((x + (y - x) * t).rounded()) }
        return "rgb(\(mix(a.0, b.0)),\(mix(a.1, b.1)),\(mix(a.2, b.2)))"
    }

    public func render(in frame: SVGFrame, cell: Double) -> String {
        let present = values.flatMap { $0.compactMap { $0 } }
        let lo = low ?? present.min() ?? 0, hi = high ?? present.max() ?? 1
        func fraction(_ v: Double) -> Double { hi > lo ? (v - lo) / (hi - lo) : 0.5 }
        let left = frame.x + 110, top = frame.y + 44
        var out = SVGDocument.text(title, x: frame.x + frame.width / 2, y: frame.y + 22, size: 14, anchor: "middle")
        for (r, row) in values.enumerated() {
            for c in 0..<columnLabels.count {
                let x = left + Double(c) * cell, y = top + Double(r) * cell
                let v = c < row.count ? row[c] : nil
                let fill = v.map { Self.color(fraction($0)) } ?? "#dddddd"
                out +=
                    "<rect x=\"\(SVGDocument.px(x))\" y=\"\(SVGDocument.px(y))\" width=\"\(SVGDocument.px(cell))\" height=\"\(SVGDocument.px(cell))\" fill=\"\(fill)\" stroke=\"white\"/>\n"
                if let v {
                    // Dark text on the light end of the scale, white on the dark end.
                    let ink = fraction(v) > 0.6 ? "#222" : "white"
                    out += SVGDocument.text(cellText?(r, c, v) ?? format(v), x: x + cell / 2, y: y + cell / 2 + 4, size: 12, anchor: "middle", color: ink)
                }
            }
        }
        for (c, label) in columnLabels.enumerated() {
            out += SVGDocument.text(label, x: left + (Double(c) + 0.5) * cell, y: top + Double(rowLabels.count) * cell + 16, size: 11, anchor: "middle")
        }
        for (r, label) in rowLabels.enumerated() {
            out += SVGDocument.text(label, x: left - 6, y: top + (Double(r) + 0.5) * cell + 4, size: 11, anchor: "end")
        }
        let gridWidth = Double(columnLabels.count) * cell, gridHeight = Double(rowLabels.count) * cell
        out += SVGDocument.text(xLabel, x: left + gridWidth / 2, y: top + gridHeight + 40, size: 12, anchor: "middle")
        out += SVGDocument.text(yLabel, x: frame.x + 24, y: top + gridHeight / 2, size: 12, anchor: "middle", rotate: true)
        // Legend: a vertical colour bar with its ends and middle labelled.
        let barX = left + gridWidth + 30, steps = 40, barHeight = gridHeight
        for i in 0..<steps {
            let f = 1 - Double(i) / Double(steps - 1)
            out +=
                "<rect x=\"\(SVGDocument.px(barX))\" y=\"\(SVGDocument.px(top + Double(i) * barHeight / Double(steps)))\" width=\"16\" height=\"\(SVGDocument.px(barHeight / Double(steps) + 0.5))\" fill=\"\(Self.color(f))\"/>\n"
        }
        for (f, v) in [(0.0, lo), (0.5, (lo + hi) / 2), (1.0, hi)] {
            out += SVGDocument.text(format(v), x: barX + 22, y: top + (1 - f) * barHeight + 4, size: 10)
        }
        return out
    }
}
