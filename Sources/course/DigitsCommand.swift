import ArgumentParser
import BenchReport
import CommandSupport
import ConvKit
import ConvNN
import Dispatch
import Foundation
import SVGCharts

/// `course digits`: the grid search over learning rate η and L2 strength λ on the 8x8 digits.
struct DigitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digits",
        abstract: "Grid search of η and λ on the 8x8 digits (dense or convolutional network); accuracy heatmaps.")

    @Option(help: "The digits CSV (optdigits-8x8.csv: 64 pixels 0..16 and the label per line; see the README).")
    var data: String
    @Option(help: "dense (64 -> 50 sigmoid -> 10 softmax) or cnn (Conv2D 10 3x3 ReLU -> MaxPool -> Dense 50 ReLU -> 10 softmax).")
    var network: DigitsGridSearch.Network = .dense
    @Option(parsing: .upToNextOption, help: "Learning rates η (comma- or space-separated; default 1e-5 ... 1e1).")
    var learningRates: [String] = []
    @Option(parsing: .upToNextOption, help: "L2 strengths λ (comma- or space-separated; default 1e-5 ... 1e1).")
    var lambdas: [String] = []
    @Option(parsing: .unconditional, help: "Epochs per cell.") var epochs = 100
    @Option(parsing: .unconditional, help: "Batch size.") var batchSize = 100
    @Option(parsing: .unconditional, help: "Seed of the split, the weights and the shuffling (the same for every cell).")
    var seed: UInt64 = 1
    @Option(parsing: .unconditional, help: "Threads (default: CONVKIT_NUM_THREADS or all cores).") var threads: Int?
    @Option(help: "cells (several cells at once, one thread each) or batch (one cell at a time, its batch across the threads); the results are the same.")
    var parallelism: DigitsGridSearch.Parallelism = .cells
    @Option(help: "Write the training and test accuracy heatmaps (SVG) into this folder.") var plot: String?
    @Option(help: "Write every cell's results to this JSON file.") var json: String?
    @Option(help: "Splice a Markdown section with the results and the command into this file (Docs/Reproduction.md).")
    var report: String?
    @Option(help: "The JSON that Bench/frameworks/keras_digits_grid.py wrote for the same grid: the report puts Keras' time and best cell beside ConvNN's.")
    var kerasJson: String?

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    func run() throws {
        let etas = try floatList(learningRates, option: "--learning-rates"), ls = try floatList(lambdas, option: "--lambdas")
        let search = try withOption(["learningRates": "--learning-rates", "lambdas": "--lambdas", "epochs": "--epochs", "batchSize": "--batch-size"]) {
            try DigitsGridSearch(
                network: network, learningRates: etas.isEmpty ? DigitsGridSearch.courseValues : etas,
                lambdas: ls.isEmpty ? DigitsGridSearch.courseValues : ls, epochs: epochs, batchSize: batchSize, seed: seed)
        }
        let context = try commandContext(threads: threads)
        // Destinations are checked before the long run.
        if let plot { try checkPlotFolder(plot) }
        if let json { try withOption("--json") { try AtomicFile.checkWritable(json, bytes: 100_000, option: "--json") } }
        if let report { try withOption("--report") { try AtomicFile.checkWritable(report, bytes: 1_000_000, option: "--report") } }
        let keras = try kerasJson.map { path in
            do { return try JSONDecoder().decode(KerasGrid.self, from: Data(contentsOf: URL(fileURLWithPath: path))) } catch {
                throw CommandError("--keras-json: cannot read '\(path)' as the output of keras_digits_grid.py: \(error)")
            }
        }
        let all = try withOption("--data") { try Digits.load(data, option: "--data") }
        let (training, test) = try Digits.split(all, seed: seed)
        let cells = search.learningRates.count * search.lambdas.count
        print(
            "\(network == .dense ? "Dense 64-50-10" : "CNN") on the digits: \(training.count) training, \(test.count) test images; \(cells) cells of \(plural(epochs, "epoch")) at batch \(batchSize), \(plural(context.threads, "thread")) (\(parallelism.rawValue))"
        )
        let live = standardOutputIsTerminal
        let start = DispatchTime.now().uptimeNanoseconds
        let results = try search.run(training: training, test: test, threads: context.threads, parallelism: parallelism, isa: context.isa) { cell, done in
            let line = String(
                format: "cell %d/%d: eta %g, lambda %g: train %.4f, test %.4f (%.1f s)", done, cells, cell.learningRate, cell.lambda,
                cell.trainingAccuracy, cell.testAccuracy, cell.seconds)
            if live { print("\r" + line, terminator: "") } else { print(line) }
            fflush(nil)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        if live { print("") }
        let best = results.max { $0.testAccuracy < $1.testAccuracy }!
        print(String(format: "Best test accuracy %.4f at eta %g, lambda %g. Grid: %@", best.testAccuracy, best.learningRate, best.lambda, elapsed(seconds)))
        print(table(results, search, \.testAccuracy, "test accuracy"))
        let charts = [("train", "training", \DigitsGridSearch.Cell.trainingAccuracy), ("test", "test", \DigitsGridSearch.Cell.testAccuracy)]
        if let plot {
            for (file, label, key) in charts {
                let path = plot + "/digits-\(network.rawValue)-\(file).svg"
                try withOption("--plot") { try AtomicFile.write(Data(heatmap(results, search, key, label).utf8), to: path, option: "--plot") }
                print("Wrote \(path)")
            }
        }
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try withOption("--json") { try AtomicFile.write(try encoder.encode(results), to: json, option: "--json") }
        }
        if let keras {
            print(
                String(
                    format: "Keras (%@, %d threads) took %@ for its grid: %.1fx this run's time", keras.framework, keras.threads, elapsed(keras.seconds),
                    keras.seconds / seconds))
        }
        if let report { try writeReport(report, results, search, seconds: seconds, context: context, best: best, keras: keras) }
    }

    func label(_ v: Float) -> String { String(format: "%g", v) }

    func heatmap(_ results: [DigitsGridSearch.Cell], _ s: DigitsGridSearch, _ key: KeyPath<DigitsGridSearch.Cell, Double>, _ what: String) -> String {
        let rows = s.lambdas.map { l in s.learningRates.map { eta in results.first { $0.lambda == l && $0.learningRate == eta }.map { $0[keyPath: key] } } }
        return HeatmapChart(
            title: "Digits, \(network == .dense ? "dense network" : "CNN"): \(what) accuracy", columnLabels: s.learningRates.map(label),
            rowLabels: s.lambdas.map(label), xLabel: "learning rate η", yLabel: "L2 strength λ", values: rows, low: 0, high: 1
        ).svg()
    }

    func table(_ results: [DigitsGridSearch.Cell], _ s: DigitsGridSearch, _ key: KeyPath<DigitsGridSearch.Cell, Double>, _ what: String) -> String {
        var lines = ["| λ \\ η (\(what)) | " + s.learningRates.map(label).joined(separator: " | ") + " |"]
        lines.append("|---|" + String(repeating: "---:|", count: s.learningRates.count))
        for l in s.lambdas {
            let cells = s.learningRates.map { eta in
                results.first { $0.lambda == l && $0.learningRate == eta }.map { String(format: "%.3f", $0[keyPath: key]) } ?? ""
            }
            lines.append("| \(label(l)) | " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    func writeReport(
        _ path: String, _ results: [DigitsGridSearch.Cell], _ s: DigitsGridSearch, seconds: Double, context: ExecutionContext,
        best: DigitsGridSearch.Cell, keras: KerasGrid?
    ) throws {
        let name = "course digits \(network.rawValue)"
        let marker = GeneratedSection(
            beginMarker: "<!-- \(name): begin (generated by `course digits`; edits inside are overwritten) -->", endMarker: "<!-- \(name): end -->")
        // The command as run (the grid and epoch options only when they differ from the notes').
        var options = [
            "--network \(network.rawValue)", "--data \(data)", "--threads \(context.threads)", "--parallelism \(parallelism.rawValue)", "--seed \(seed)",
        ]
        if !learningRates.isEmpty { options.append("--learning-rates \(s.learningRates.map(label).joined(separator: ","))") }
        if !lambdas.isEmpty { options.append("--lambdas \(s.lambdas.map(label).joined(separator: ","))") }
        if epochs != 100 { options.append("--epochs \(epochs)") }
        if batchSize != 100 { options.append("--batch-size \(batchSize)") }
        options += [plot.map { "--plot \($0)" }, json.map { "--json \($0)" }, kerasJson.map { "--keras-json \($0)" }, "--report \(path)"].compactMap { $0 }
        let command = "swift run -c release course digits " + options.joined(separator: " ")
        var comparison = ""
        if let keras, let kerasBest = keras.cells.max(by: { $0.testAccuracy < $1.testAccuracy }) {
            comparison = String(
                format:
                    "\n\nKeras on the same machine (`python3 Bench/frameworks/keras_digits_grid.py --network %@ --data %@ --threads %d --json %@`, %@, %d threads): best test accuracy **%.1f%%** at η %@, λ %@; its grid took %@, **%.1fx** ConvNN's time. Its test accuracies:\n\n%@",
                network.rawValue, data, keras.threads, kerasJson ?? "keras.json", keras.framework, keras.threads, 100 * kerasBest.testAccuracy,
                label(kerasBest.learningRate), label(kerasBest.lambda), elapsed(keras.seconds), keras.seconds / seconds,
                table(
                    keras.cells.map {
                        DigitsGridSearch.Cell(
                            learningRate: $0.learningRate, lambda: $0.lambda, trainingAccuracy: $0.trainingAccuracy, testAccuracy: $0.testAccuracy, seconds: 0)
                    }, s, \.testAccuracy, "Keras test"))
        }
        let figures = ["train", "test"].map { "![\($0)](figures/digits-\(network.rawValue)-\($0).svg)" }.joined(separator: " ")
        let section = """
            \(marker.beginMarker)
            `\(command)`

            Best test accuracy **\(String(format: "%.1f%%", 100 * best.testAccuracy))** at η \(label(best.learningRate)), λ \(label(best.lambda)); the whole grid (\(results.count) cells of \(plural(s.epochs, "epoch"))) took \(elapsed(seconds)) on \(plural(context.threads, "thread")) (\(context.isa.rawValue) kernels, \(parallelism.rawValue) in parallel).\(comparison)

            \(figures)

            \(table(results, s, \.testAccuracy, "test"))

            \(table(results, s, \.trainingAccuracy, "training"))
            \(marker.endMarker)

            """
        let existing = FileManager.default.fileExists(atPath: path) ? try String(contentsOfFile: path, encoding: .utf8) : nil
        try withOption("--report") { try AtomicFile.write(Data(marker.splice(section, into: existing).utf8), to: path, option: "--report") }
        print("Updated \(path)")
    }
}

/// The JSON of Bench/frameworks/keras_digits_grid.py.
struct KerasGrid: Decodable {
    struct Cell: Decodable {
        var learningRate: Float, lambda: Float, trainingAccuracy: Double, testAccuracy: Double
    }
    var framework: String
    var threads: Int
    var seconds: Double
    var cells: [Cell]
}
