/// One line of a ``LineChart``: points in data units, drawn in order of x.
public struct LineSeries: Sendable, Equatable {
    public var name: String
    public var points: [ChartPoint]
    public var dashed: Bool
    public init(name: String, points: [ChartPoint], dashed: Bool = false) {
        self.name = name; self.points = points; self.dashed = dashed
    }
}

/// A data point; a nil `y` leaves a gap (the line is not drawn across it).
public struct ChartPoint: Sendable, Equatable {
    public var x: Double
    public var y: Double?
    public init(x: Double, y: Double?) { self.x = x; self.y = y }
}

/// A line chart of y against x: axes with round ticks (or base-2 logarithmic x ticked at the data),
/// a legend, and dashed reference lines.
public struct LineChart: Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [LineSeries]
    public var referenceLines: [ReferenceLine]
    /// Base-2 logarithmic x axis (sizes that double), ticked at the data's x values.
    public var logarithmicX: Bool
    /// Fixed y range (accuracy: 0...1); nil fits the data, the reference lines and zero.
    public var yRange: ClosedRange<Double>?
    public var includeZero: Bool

    public init(
        title: String, xLabel: String, yLabel: String, series: [LineSeries],
        referenceLines: [ReferenceLine] = [], logarithmicX: Bool = false,
        yRange: ClosedRange<Double>? = nil, includeZero: Bool = true
    ) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.series = series
        self.referenceLines = referenceLines; self.logarithmicX = logarithmicX
        self.yRange = yRange; self.includeZero = includeZero
    }

    /// The chart as a standalone SVG document.
    public func svg(width: Int = 640, height: Int = 400) -> String {
        SVGDocument.make(
            width: width, height: height, title: title,
            body: render(in: SVGFrame(x: 0, y: 0, width: Double(width), height: Double(height))))
    }

    /// The chart's SVG elements, drawn inside `frame` (for documents with several panels).
    public func render(in frame: SVGFrame) -> String {
        let left = 62.0, right = 16.0, top = 34.0, bottom = 46.0
        let plot = SVGFrame(
            x: frame.x + left, y: frame.y + top, width: frame.width - left - right,
            height: frame.height - top - bottom)
        let xs = series.flatMap { $0.points.map(\.x) }
        let ys = series.flatMap { $0.points.compactMap(\.y) } + referenceLines.map(\.value)
        let xAxis =
            logarithmicX
            ? ChartAxis.log2(covering: xs)
            : ChartAxis.linear(covering: xs, includeZero: false, range: xs.isEmpty ? nil : (xs.min()!...max(xs.max()!, xs.min()! + 1)))
        let yAxis = ChartAxis.linear(covering: ys, includeZero: includeZero, range: yRange)
        func px(_ x: Double) -> Double { plot.x + xAxis.fraction(x) * plot.width }
        func py(_ y: Double) -> Double { plot.y + plot.height - yAxis.fraction(y) * plot.height }

        var out = SVGDocument.text(title, x: frame.x + frame.width / 2, y: frame.y + 20, size: 14, anchor: "middle")
        out += ChartFrame.axes(plot: plot, yAxis: yAxis, yPixel: py, xLabel: xLabel, yLabel: yLabel)
        let xTicks = logarithmicX ? xAxis.ticks : Array(Set(xs)).sorted().count <= 12 ? Array(Set(xs)).sorted() : xAxis.ticks
        for t in xTicks {
            out += SVGDocument.line(px(t), plot.y + plot.height, px(t), plot.y + plot.height + 4, color: "#999")
            out += SVGDocument.text(ChartAxis.label(t), x: px(t), y: plot.y + plot.height + 16, size: 10, anchor: "middle")
        }
        for line in referenceLines { out += line.render(yPixel: py(line.value), frame: plot) }
        for (i, s) in series.enumerated() {
            let color = ChartPalette.color(i)
            var run: [String] = []
            func flush() {
                if run.count == 1 {
                    out += "<circle cx=\"\(run[0].split(separator: ",")[0])\" cy=\"\(run[0].split(separator: ",")[1])\" r=\"2.5\" fill=\"\(color)\"/>\n"
                }
                if run.count > 1 {
                    out +=
                        "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(s.dashed ? " stroke-dasharray=\"6 4\"" : "") points=\"\(run.joined(separator: " "))\"/>\n"
                }
                run = []
            }
            for p in s.points.sorted(by: { $0.x < $1.x }) {
                guard let y = p.y, !logarithmicX || p.x > 0 else { flush(); continue }
                run.append("\(SVGDocument.px(px(p.x))),\(SVGDocument.px(py(y)))")
            }
            flush()
        }
        out += ChartFrame.legend(series.enumerated().map { ($0.element.name, ChartPalette.color($0.offset), $0.element.dashed) }, plot: plot)
        return out
    }
}
