/// One set of bars of a ``BarChart``: one value per category; nil leaves the slot empty.
public struct BarSeries: Sendable, Equatable {
    public var name: String
    public var values: [Double?]
    public init(name: String, values: [Double?]) { self.name = name; self.values = values }
}

/// A grouped bar chart: one group per category, one bar per series, dashed reference lines
/// (a measured ceiling) across it, and each bar's value printed above it.
public struct BarChart: Sendable {
    public var title: String
    public var yLabel: String
    public var categories: [String]
    public var series: [BarSeries]
    public var referenceLines: [ReferenceLine]

    public init(
        title: String, yLabel: String, categories: [String], series: [BarSeries],
        referenceLines: [ReferenceLine] = []
    ) {
        self.title = title; self.yLabel = yLabel; self.categories = categories
        self.series = series; self.referenceLines = referenceLines
    }

    /// The chart as a standalone SVG document; the width grows with the number of bars.
    public func svg(width: Int? = nil, height: Int = 400) -> String {
        let bars = max(1, categories.count * max(1, series.count))
        let w = width ?? max(480, min(1800, 90 + bars * 22 + categories.count * 14))
        return SVGDocument.make(
            width: w, height: height, title: title,
            body: render(in: SVGFrame(x: 0, y: 0, width: Double(w), height: Double(height))))
    }

    public func render(in frame: SVGFrame) -> String {
        let left = 62.0, right = 16.0, top = 34.0, bottom = 70.0
        let plot = SVGFrame(
            x: frame.x + left, y: frame.y + top, width: frame.width - left - right,
            height: frame.height - top - bottom)
        let values = series.flatMap { $0.values.compactMap { $0 } } + referenceLines.map(\.value)
        let yAxis = ChartAxis.linear(covering: values, includeZero: true)
        func py(_ y: Double) -> Double { plot.y + plot.height - yAxis.fraction(y) * plot.height }

        var out = SVGDocument.text(title, x: frame.x + frame.width / 2, y: frame.y + 20, size: 14, anchor: "middle")
        out += ChartFrame.axes(plot: plot, yAxis: yAxis, yPixel: py, xLabel: "", yLabel: yLabel)
        let groupWidth = plot.width / Double(max(1, categories.count))
        let barWidth = groupWidth * 0.8 / Double(max(1, series.count))
        for (c, category) in categories.enumerated() {
            let groupX = plot.x + Double(c) * groupWidth + groupWidth * 0.1
            for (s, bars) in series.enumerated() {
                guard c < bars.values.count, let v = bars.values[c] else { continue }
                let x = groupX + Double(s) * barWidth
                let y = py(max(v, yAxis.low)), zero = py(max(0, yAxis.low))
                out +=
                    "<rect x=\"\(SVGDocument.px(x))\" y=\"\(SVGDocument.px(min(y, zero)))\" width=\"\(SVGDocument.px(max(1, barWidth - 1)))\" height=\"\(SVGDocument.px(abs(zero - y)))\" fill=\"\(ChartPalette.color(s))\"><title>\(SVGDocument.escape("\(category), \(bars.name): \(ChartAxis.label(v))"))</title></rect>\n"
                if barWidth >= 14 {
                    out += SVGDocument.text(Self.short(v), x: x + barWidth / 2, y: min(y, zero) - 3, size: 8, anchor: "middle")
                }
            }
            // A label wider than its group is wrapped at spaces to the group's width.
            let labelX = plot.x + (Double(c) + 0.5) * groupWidth
            let lines = Self.wrap(category, width: Int(groupWidth / 5.6))
            for (l, text) in lines.enumerated() {
                out += SVGDocument.text(text, x: labelX, y: plot.y + plot.height + 14 + 12 * Double(l), size: 10, anchor: "middle")
            }
        }
        for line in referenceLines { out += line.render(yPixel: py(line.value), frame: plot) }
        out += ChartFrame.legend(series.enumerated().map { ($0.element.name, ChartPalette.color($0.offset), false) }, plot: plot)
        return out
    }

    /// `text` cut at spaces into lines of at most `width` characters (a longer word keeps its own line).
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if line.isEmpty {
                line = String(word)
            } else if line.count + 1 + word.count <= width {
                line += " " + word
            } else {
                lines.append(line)
                line = String(word)
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines.isEmpty ? [""] : lines
    }

    /// Three significant figures at most: "1234", "56.7", "0.123".
    static func short(_ v: Double) -> String {
        let a = abs(v)
        if a >= 100 { return String(Int(v.rounded())) }
        if a >= 10 { return String((v * 10).rounded() / 10) }
        return String((v * 100).rounded() / 100)
    }
}
