/// The parts every chart draws: the plot box, y ticks and grid, axis labels and the legend.
enum ChartFrame {
    static func axes(plot: SVGFrame, yAxis: ChartAxis, yPixel: (Double) -> Double, xLabel: String, yLabel: String) -> String {
        var out = ""
        for t in yAxis.ticks {
            let y = yPixel(t)
            out += SVGDocument.line(plot.x, y, plot.x + plot.width, y, color: "#e6e6e6")
            out += SVGDocument.text(ChartAxis.label(t), x: plot.x - 6, y: y + 4, size: 10, anchor: "end")
        }
        out +=
            "<rect x=\"\(SVGDocument.px(plot.x))\" y=\"\(SVGDocument.px(plot.y))\" width=\"\(SVGDocument.px(plot.width))\" height=\"\(SVGDocument.px(plot.height))\" fill=\"none\" stroke=\"#999\"/>\n"
        if !xLabel.isEmpty {
            out += SVGDocument.text(xLabel, x: plot.x + plot.width / 2, y: plot.y + plot.height + 36, size: 11, anchor: "middle")
        }
        out += SVGDocument.text(yLabel, x: plot.x - 46, y: plot.y + plot.height / 2, size: 11, anchor: "middle", rotate: true)
        return out
    }

    /// Entries in the top-left corner of the plot: a colour swatch (dashed for dashed series) and the name.
    static func legend(_ entries: [(name: String, color: String, dashed: Bool)], plot: SVGFrame) -> String {
        guard !entries.isEmpty else { return "" }
        let width = 34 + 5.6 * Double(entries.map(\.name.count).max() ?? 0)
        var out =
            "<rect x=\"\(SVGDocument.px(plot.x + 4))\" y=\"\(SVGDocument.px(plot.y + 3))\" width=\"\(SVGDocument.px(width))\" height=\"\(SVGDocument.px(14 * Double(entries.count) + 6))\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#ddd\"/>\n"
        for (i, e) in entries.enumerated() {
            let y = plot.y + 14 + 14 * Double(i)
            out += SVGDocument.line(plot.x + 8, y - 4, plot.x + 26, y - 4, color: e.color, width: 3, dashed: e.dashed)
            out += SVGDocument.text(e.name, x: plot.x + 30, y: y, size: 10, color: e.color)
        }
        return out
    }
}
