/// Writes training curves as a standalone SVG chart (no dependencies): one panel for loss and
/// one for accuracy against the epoch, training and validation series.
public enum TrainingPlot {
    public static func svg(_ history: [EpochRecord], title: String = "Training") -> String {
        let panelWidth = 420.0, height = 300.0, margin = 50.0
        let epochs = history.map { Double($0.epoch) }
        func panel(_ x0: Double, _ name: String, _ series: [(String, String, [Double?])]) -> String {
            let values = series.flatMap { $0.2.compactMap { $0 } }
            var lo = values.min() ?? 0, hi = values.max() ?? 1
            if name == "accuracy" { lo = min(lo, 0); hi = max(hi, 1) }
            if hi - lo < 1e-9 { hi = lo + 1 }
            let maxEpoch = max(epochs.max() ?? 1, 1), minEpoch = epochs.min() ?? 1
            func px(_ e: Double) -> Double { x0 + margin + (maxEpoch == minEpoch ? 0.5 : (e - minEpoch) / (maxEpoch - minEpoch)) * (panelWidth - 2 * margin) }
            func py(_ v: Double) -> Double { height - margin - (v - lo) / (hi - lo) * (height - 2 * margin) }
            var out = "<rect x=\"\(x0 + margin)\" y=\"\(margin)\" width=\"\(panelWidth - 2 * margin)\" height=\"\(height - 2 * margin)\" fill=\"none\" stroke=\"#999\"/>\n"
            out += "<text x=\"\(x0 + panelWidth / 2)\" y=\"\(margin - 12)\" text-anchor=\"middle\" font-size=\"14\">\(name)</text>\n"
            for t in 0...4 {
                let v = lo + (hi - lo) * Double(t) / 4
                out += "<text x=\"\(x0 + margin - 6)\" y=\"\(py(v) + 4)\" text-anchor=\"end\" font-size=\"10\">\(format(v))</text>\n"
            }
            for e in history.map(\.epoch) {
                out += "<text x=\"\(px(Double(e)))\" y=\"\(height - margin + 14)\" text-anchor=\"middle\" font-size=\"10\">\(e)</text>\n"
            }
            out += "<text x=\"\(x0 + panelWidth / 2)\" y=\"\(height - 12)\" text-anchor=\"middle\" font-size=\"11\">epoch</text>\n"
            for (i, (label, color, data)) in series.enumerated() {
                let points = zip(epochs, data).compactMap { e, v in v.map { "\(px(e)),\(py($0))" } }
                guard !points.isEmpty else { continue }
                out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>\n"
                out += "<text x=\"\(x0 + margin + 8)\" y=\"\(margin + 16 + 14 * Double(i))\" font-size=\"11\" fill=\"\(color)\">\(label)</text>\n"
            }
            return out
        }
        let body = panel(0, "loss", [("training", "#1f77b4", history.map { $0.loss }), ("validation", "#ff7f0e", history.map { $0.validationLoss })])
            + panel(panelWidth, "accuracy", [("training", "#1f77b4", history.map { $0.accuracy }), ("validation", "#ff7f0e", history.map { $0.validationAccuracy })])
        return """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(2 * panelWidth))" height="\(Int(height))" font-family="sans-serif">
        <title>\(title)</title>
        <rect width="100%" height="100%" fill="white"/>
        \(body)</svg>

        """
    }

    private static func format(_ v: Double) -> String {
        let scaled = (v * 1000).rounded() / 1000
        return "\(scaled)"
    }
}
