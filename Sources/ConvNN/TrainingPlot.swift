internal import SVGCharts

/// Writes training curves as a standalone SVG chart: one panel for loss and one for accuracy
/// against the epoch, training and validation series.
public enum TrainingPlot {
    public static func svg(_ history: [EpochRecord], title: String = "Training") -> String {
        let panelWidth = 420.0, height = 300.0
        let epochs = history.map { Double($0.epoch) }
        func series(_ name: String, _ values: [Double?]) -> LineSeries {
            LineSeries(name: name, points: zip(epochs, values).map { ChartPoint(x: $0, y: $1) })
        }
        let loss = LineChart(
            title: "\(title): loss", xLabel: "epoch", yLabel: "loss",
            series: [
                series("training", history.map { $0.loss }),
                series("validation", history.map { $0.validationLoss }),
            ])
        let accuracy = LineChart(
            title: "\(title): accuracy", xLabel: "epoch", yLabel: "accuracy",
            series: [
                series("training", history.map { $0.accuracy }),
                series("validation", history.map { $0.validationAccuracy }),
            ],
            yRange: 0...1)
        let body =
            loss.render(in: SVGFrame(x: 0, y: 0, width: panelWidth, height: height))
            + accuracy.render(in: SVGFrame(x: panelWidth, y: 0, width: panelWidth, height: height))
        return SVGDocument.make(width: Int(2 * panelWidth), height: Int(height), title: title, body: body)
    }
}
