import ArgumentParser
import CommandSupport
import ConvKit
import ConvNN
import Dispatch
import Foundation
import SVGCharts

/// `course mnist`: the notes' fully connected MNIST network.
struct MNISTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mnist",
        abstract: "MNIST: Flatten -> Dense(50, tanh) -> Dense(10, softmax), Nadam, 40,000 training / 20,000 validation images; confusion matrix.")

    @Option(
        help:
            "A folder with the IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, optionally .gz). Without it they are downloaded once into \(CIFAR10.defaultCacheDirectory)/mnist and reused."
    )
    var data: String?
    @Option(parsing: .unconditional, help: "Epochs.") var epochs = 10
    @Option(parsing: .unconditional, help: "Batch size (Keras' default).") var batchSize = 32
    @Option(parsing: .unconditional, help: "Training images; the next `--validation` images validate.") var training = 40_000
    @Option(parsing: .unconditional, help: "Validation images.") var validation = 20_000
    @Option(parsing: .unconditional, help: "Seed of the weights and the shuffling.") var seed: UInt64 = 1
    @Option(parsing: .unconditional, help: "Threads (default: CONVKIT_NUM_THREADS or all cores).") var threads: Int?
    @Option(help: "Write the training curves and the confusion matrix (SVG) into this folder.") var plot: String?

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
        guard training >= 1, validation >= 1 else { throw ValidationError("--training and --validation must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    func run() throws {
        let context = try commandContext(threads: threads)
        if let plot { try checkPlotFolder(plot) }
        let folder = try dataFolder()
        let all: Dataset
        do { all = try MNIST.load(folder: folder).training } catch let error as MNISTError { throw CommandError("--data: \(error)") }
        guard training + validation <= all.count else {
            throw CommandError("--training \(training) + --validation \(validation) exceed the \(all.count) images in '\(folder)'")
        }
        let (train, held) = (all.slice(0..<training), all.slice(training..<(training + validation)))
        let model = try Sequential(input: all.shape, seed: seed, context: context) {
            Flatten()
            try Dense(units: 50, activation: .tanh)
            try Dense(units: 10, activation: .softmax)
        }
        print(model.summary())
        print(
            "Training on \(train.count) images, validating on \(held.count), \(plural(epochs, "epoch")) at batch \(batchSize), \(plural(context.threads, "thread"))"
        )
        let printer = ProgressPrinter(live: standardOutputIsTerminal)
        let start = DispatchTime.now().uptimeNanoseconds
        let history = try withOption(["batchSize": "--batch-size", "epochs": "--epochs"]) {
            try model.fit(
                train, epochs: epochs, batchSize: batchSize, optimizer: Nadam(), loss: .categoricalCrossentropy(), validation: held, seed: seed,
                onBatch: printer.batch, onEpoch: printer.epoch)
        }
        print("Elapsed: \(elapsed(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9))")
        let matrix = try ConfusionMatrix(model: model, data: held)
        print(String(format: "Validation accuracy %.4f. Confusion matrix (rows: true digit, columns: predicted):", matrix.accuracy))
        print(matrix.text)
        if let plot {
            let curves = plot + "/mnist-training.svg", confusion = plot + "/mnist-confusion.svg"
            try withOption("--plot") {
                try AtomicFile.write(Data(TrainingPlot.svg(history, title: "MNIST, Dense 50 tanh").utf8), to: curves, option: "--plot")
                try AtomicFile.write(Data(matrix.svg(title: "MNIST validation: confusion matrix").utf8), to: confusion, option: "--plot")
            }
            print("Wrote \(curves) and \(confusion)")
        }
    }

    /// `--data`, else the cached download (fetched once; fails fast offline, naming --data).
    func dataFolder() throws -> String {
        if let data { return data }
        print("No --data given: looking for MNIST in \(CIFAR10.defaultCacheDirectory)/mnist (downloading from \(MNIST.baseURL) once if absent)")
        do {
            return try MNIST.cachedDataset()
        } catch let error as MNISTError {
            throw CommandError("\(error); then pass their folder with --data")
        }
    }
}
