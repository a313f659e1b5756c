/// A labelled horizontal line across a chart at `value` (a measured ceiling, a bandwidth), dashed.
public struct ReferenceLine: Sendable, Equatable {
    public var label: String
    public var value: Double
    public var color: String

    public init(label: String, value: Double, color: String = "#555") {
        self.label = label; self.value = value; self.color = color
    }

    func render(yPixel: Double, frame: SVGFrame) -> String {
        SVGDocument.line(frame.x, yPixel, frame.x + frame.width, yPixel, color: color, width: 1.2, dashed: true)
            + SVGDocument.text(label, x: frame.x + frame.width - 4, y: yPixel - 4, size: 10, anchor: "end", color: color)
    }
}
