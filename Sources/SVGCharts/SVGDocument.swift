/// A rectangle of an SVG canvas, in pixels, y growing downwards.
public struct SVGFrame: Sendable, Equatable {
    public var x: Double, y: Double, width: Double, height: Double
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }
}

/// Standalone SVG documents built from fragments that the charts render.
public enum SVGDocument {
    /// A complete SVG document of `width` x `height` pixels on a white background.
    public static func make(width: Int, height: Int, title: String, body: String) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" font-family="sans-serif">
        <title>\(escape(title))</title>
        <rect width="100%" height="100%" fill="white"/>
        \(body)</svg>

        """
    }

    /// `text` with the five XML special characters escaped.
    public static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A coordinate with at most two decimals ("12.5", "3").
    static func px(_ v: Double) -> String {
        let r = (v * 100).rounded() / 100
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    static func text(
        _ s: String, x: Double, y: Double, size: Double = 11, anchor: String = "start",
        color: String = "#222", rotate: Bool = false
    ) -> String {
        let transform = rotate ? " transform=\"rotate(-90 \(px(x)) \(px(y)))\"" : ""
        return "<text x=\"\(px(x))\" y=\"\(px(y))\" font-size=\"\(px(size))\" text-anchor=\"\(anchor)\" fill=\"\(color)\"\(transform)>\(escape(s))</text>\n"
    }

    static func line(
        _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, color: String, width: Double = 1,
        dashed: Bool = false
    ) -> String {
        "<line x1=\"\(px(x1))\" y1=\"\(px(y1))\" x2=\"\(px(x2))\" y2=\"\(px(y2))\" stroke=\"\(color)\" stroke-width=\"\(px(width))\"\(dashed ? " stroke-dasharray=\"6 4\"" : "")/>\n"
    }
}

/// The colours series take in order (Tableau 10).
public enum ChartPalette {
    public static let colors = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
        "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    ]
    public static func color(_ i: Int) -> String { colors[i % colors.count] }
}
