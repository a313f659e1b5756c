import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import SVGCharts
import Testing

/// Tests of `Sources/SVGCharts`: documents are well-formed XML, data lands where the axes say,
/// gaps and escaping behave.
@Suite("SVG charts")
struct ChartTests {
    /// Parses `svg` as XML and returns every element's name and attributes, in document order.
    static func elements(_ svg: String) throws -> [(name: String, attributes: [String: String])] {
        final class Collector: NSObject, XMLParserDelegate {
            var elements: [(name: String, attributes: [String: String])] = []
            func parser(
                _ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]
            ) {
                elements.append((name, attributes))
            }
        }
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Collector()
        parser.delegate = collector
        guard parser.parse() else {
            throw CocoaError(.coderReadCorrupt, userInfo: [NSDebugDescriptionErrorKey: "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "?")"])
        }
        return collector.elements
    }

    @Test("a line chart maps data to pixels: the first point on the left edge, the largest on top of a fitted axis")
    func lineChartGeometry() throws {
        let chart = LineChart(
            title: "GEMM <&> \"test\"", xLabel: "size", yLabel: "GFLOP/s",
            series: [
                LineSeries(
                    name: "a",
                    points: [
                        ChartPoint(x: 64, y: 10), ChartPoint(x: 128, y: 20),
                        ChartPoint(x: 256, y: 40),
                    ])
            ],
            referenceLines: [ReferenceLine(label: "ceiling", value: 50)], logarithmicX: true)
        let svg = chart.svg(width: 640, height: 400)
        let elements = try Self.elements(svg)
        #expect(elements.first?.name == "svg")
        #expect(svg.contains("GEMM &lt;&amp;&gt; &quot;test&quot;"))
        let polyline = try #require(elements.first { $0.name == "polyline" })
        let points = try #require(polyline.attributes["points"]).split(separator: " ").map { pair in
            pair.split(separator: ",").map { Double($0)! }
        }
        #expect(points.count == 3)
        // Plot box: left 62, right 640 - 16, top 34, bottom 400 - 46; y axis 0...50 (ceiling included).
        #expect(points[0][0] == 62 && points[2][0] == 624)
        #expect(abs(points[1][0] - (62 + 281)) < 0.01, "log2 x: 128 sits halfway between 64 and 256")
        #expect(abs(points[2][1] - (354 - 40.0 / 50 * 320)) < 0.01)
        let dashed = elements.filter { $0.name == "line" && $0.attributes["stroke-dasharray"] != nil }
        #expect(dashed.contains { abs(Double($0.attributes["y1"]!)! - 34) < 0.01 }, "the ceiling at 50 is the top of the axis")
    }

    @Test("a nil value breaks a line into runs, and a lone point becomes a dot")
    func gapsSplitLines() throws {
        let chart = LineChart(
            title: "t", xLabel: "x", yLabel: "y",
            series: [
                LineSeries(name: "s", points: [1, 2, 3, 4, 5].map { ChartPoint(x: $0, y: $0 == 3 ? nil : $0) }),
                LineSeries(name: "one", points: [ChartPoint(x: 2, y: 1), ChartPoint(x: 3, y: nil)]),
            ])
        let elements = try Self.elements(chart.svg())
        #expect(elements.filter { $0.name == "polyline" }.count == 2)
        #expect(elements.filter { $0.name == "circle" }.count == 1)
    }

    @Test("a bar chart draws one rect per present value, heights proportional to the values")
    func barChart() throws {
        let chart = BarChart(
            title: "bars", yLabel: "GB/s", categories: ["pool1 forward", "pool2 forward", "x"],
            series: [BarSeries(name: "1T", values: [10, 20, nil]), BarSeries(name: "2T", values: [30, nil, 5])],
            referenceLines: [ReferenceLine(label: "copy", value: 40)])
        let elements = try Self.elements(chart.svg(width: 600, height: 400))
        // The first rect is the white background and one more is the plot box (no fill).
        let bars = elements.filter { $0.name == "rect" && $0.attributes["fill"] != "white" && $0.attributes["fill"] != "none" }
        #expect(bars.count == 4)
        let heights = bars.map { Double($0.attributes["height"]!)! }
        // Axis 0...40, plot height 400 - 34 - 70 = 296.
        #expect(zip(heights, [10.0, 30, 20, 5]).allSatisfy { abs($0 - $1 / 40 * 296) < 0.02 })
    }

    @Test("round ticks: an axis over 0...237 ends at a round number above the data")
    func roundTicks() throws {
        let chart = BarChart(title: "t", yLabel: "y", categories: ["a"], series: [BarSeries(name: "s", values: [237])])
        let labels = try Self.elements(chart.svg()).filter { $0.name == "text" && $0.attributes["text-anchor"] == "end" }
        #expect(labels.count >= 4 && labels.count <= 8)
        let svg = chart.svg()
        #expect(svg.contains(">250</text>"), "the top tick should be 250")
    }
}

@Suite("Heatmap chart")
struct HeatmapChartTests {
    @Test("cells coloured on the scale, annotated with their values, axes labelled, a legend, well-formed XML")
    func heatmap() throws {
        let chart = HeatmapChart(
            title: "grid <η>", columnLabels: ["1e-05", "0.1"], rowLabels: ["0.001", "10"], xLabel: "learning rate η", yLabel: "λ",
            values: [[0.1, 0.98], [nil, 0.5]], low: 0, high: 1)
        let svg = chart.svg()
        let elements = try ChartTests.elements(svg)
        let rects = elements.filter { $0.name == "rect" }
        #expect(rects.contains { $0.attributes["fill"] == HeatmapChart.color(0.98) })
        #expect(rects.contains { $0.attributes["fill"] == "#dddddd" })
        for text in ["0.10", "0.98", "0.50", "1e-05", "10", "learning rate η", "grid &lt;η&gt;", "0.00", "1.00"] { #expect(svg.contains(text), "\(text)") }
        #expect(HeatmapChart.color(0) == "rgb(68,1,84)" && HeatmapChart.color(1) == "rgb(253,231,37)")
        #expect(HeatmapChart.twoDecimals(0.975) == "0.98" && HeatmapChart.twoDecimals(-1.5) == "-1.50" && HeatmapChart.twoDecimals(0.05) == "0.05")
    }
}
