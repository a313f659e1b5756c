import ConvNN
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// Tests of `Sources/ConvNN/TrainingPlot.swift`: a well-formed SVG with a loss and an accuracy
/// panel, one line per series that has values.
@Suite("TrainingPlot")
struct TrainingPlotTests {
    final class ElementCounter: NSObject, XMLParserDelegate {
        var counts: [String: Int] = [:]
        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
            qualifiedName: String?, attributes: [String: String] = [:]
        ) {
            counts[name, default: 0] += 1
        }
    }

    static func epoch(_ e: Int, validation: Bool) -> EpochRecord {
        EpochRecord(
            epoch: e, loss: 2.0 / Double(e), accuracy: 0.2 * Double(e),
            validationLoss: validation ? 2.2 / Double(e) : nil,
            validationAccuracy: validation ? 0.18 * Double(e) : nil, imagesPerSecond: 1000, seconds: 1)
    }

    @Test("training and validation curves in two panels; without validation, only the training lines")
    func panelsAndSeries() throws {
        for validation in [true, false] {
            let svg = TrainingPlot.svg((1...3).map { Self.epoch($0, validation: validation) }, title: "CIFAR <10>")
            let parser = XMLParser(data: Data(svg.utf8))
            let counter = ElementCounter()
            parser.delegate = counter
            #expect(parser.parse(), "the SVG is not well-formed XML")
            #expect(counter.counts["polyline"] == (validation ? 4 : 2))
            #expect(svg.contains("CIFAR &lt;10&gt;: loss") && svg.contains("CIFAR &lt;10&gt;: accuracy"))
        }
    }
}
