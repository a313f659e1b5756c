import ArgumentParser
import CommandSupport
import ConvKit
import ConvNN
import Dispatch
import Foundation

/// `cifar10`: train and evaluate the Keras tutorial CNN on CIFAR-10 with ConvKit.
@main
struct CIFAR10Command: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cifar10",
        abstract: "Train the Keras CIFAR-10 tutorial CNN on the CPU with ConvKit.",
        subcommands: [Train.self, Evaluate.self, Download.self, Reproduce.self], defaultSubcommand: Train.self)
}

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the model; prints the summary, a progress line per epoch and the validation result.")

    @Option(help: "The cifar-10-batches-bin folder. Without it, the official archive is downloaded once into \(CIFAR10.defaultCacheDirectory) and reused.")
    var data: String?
    @Option(parsing: .unconditional, help: "Epochs (at least 1).") var epochs = 10
    @Option(parsing: .unconditional, help: "Batch size (1 to the number of training images).") var batchSize = 32
    @Option(parsing: .unconditional, help: "Threads (default: CONVKIT_NUM_THREADS or all cores).") var threads: Int?
    @Option(parsing: .unconditional, help: "Seed of the weight initialisation, the shuffling and the dropout masks.") var seed: UInt64 = 1
    @Option(help: "Save the trained weights to this file.") var save: String?
    @Option(help: "Write the per-epoch history to this CSV file.") var history: String?
    @Option(help: "Write an SVG chart of the loss and accuracy curves to this file.") var plot: String?
    @Option(help: "Save the whole run (weights, optimizer state, history) to this file after every epoch, atomically.")
    var checkpoint: String?
    @Option(help: "Continue the run saved in this checkpoint file (same options), bitwise as if it had never stopped.")
    var resume: String?
    @Option(
        help:
            "Order of the training images: every-epoch (a new permutation each epoch), once (one permutation repeated every epoch, as Keras 3 on TensorFlow does after keras.utils.set_random_seed) or none."
    )
    var shuffle: ShuffleMode = .everyEpoch
    @Flag(help: "Keep denormal floats (by default ConvKit flushes them to zero, as TensorFlow does; for measuring that choice).")
    var keepDenormals = false

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    func run() throws {
        let ctx = try commandContext(threads: threads)
        let model = try KerasTutorialCNN.make(seed: seed, context: ctx)
        // Every destination is checked (folder, permissions, disk space) before data or training.
        try withOption("--save") { if let save { try AtomicFile.checkWritable(save, bytes: ModelFile.byteCount(of: model), option: "--save") } }
        try withOption("--history") { if let history { try AtomicFile.checkWritable(history, bytes: 128 + epochs * 160, option: "--history") } }
        try withOption("--plot") { if let plot { try AtomicFile.checkWritable(plot, bytes: 64 * 1024, option: "--plot") } }
        try withOption("--checkpoint") {
            if let checkpoint { try AtomicFile.checkWritable(checkpoint, bytes: (model.parameterCount * 3 + 4096) * 4, option: "--checkpoint") }
        }
        if let resume, !FileManager.default.fileExists(atPath: resume) {
            throw CommandError("--resume: '\(resume)' does not exist")
        }
        CommandError.removeTemporaryFilesOnSignal()

        let folder = try dataFolder(data)
        let sets: (train: Dataset, test: Dataset)
        do { sets = try CIFAR10.load(directory: folder) } catch { throw CommandError("--data: \(error)") }
        guard batchSize <= sets.train.count else {
            throw CommandError("--batch-size must be between 1 and \(sets.train.count) (the training images), got \(batchSize)")
        }
        if keepDenormals { Denormals.flushToZero = false }
        print(model.summary())
        print(
            "Training on \(sets.train.count) images, validating on \(sets.test.count); batch \(batchSize), \(plural(epochs, "epoch")), shuffled \(shuffle.rawValue), Adam, \(plural(ctx.threads, "thread")), ISA \(ctx.isa)"
        )
        if let resume { print("Resuming the run saved in \(resume)") }
        let progress = ProgressPrinter(live: isatty(STDOUT_FILENO) != 0)
        let records = try withOption(["checkpoint": "--checkpoint", "resume": "--resume", "batchSize": "--batch-size", "epochs": "--epochs"]) {
            try model.fit(
                sets.train, epochs: epochs, batchSize: batchSize, optimizer: Adam(), validation: sets.test, seed: seed,
                shuffle: shuffle, checkpoint: checkpoint, resume: resume, onBatch: progress.batch, onEpoch: progress.epoch)
        }
        if let final = records.last {
            print(
                String(
                    format: "Test accuracy after %@: %.4f (loss %.4f)", plural(final.epoch, "epoch"),
                    final.validationAccuracy ?? .nan, final.validationLoss ?? .nan))
        }
        if let save {
            try withOption("--save") { try ModelFile.save(model, to: save, option: "--save") }
            print("Saved weights to \(save)")
        }
        if let history {
            var csv = "epoch,loss,accuracy,val_loss,val_accuracy,images_per_second,seconds\n"
            for r in records {
                csv +=
                    "\(r.epoch),\(r.loss),\(r.accuracy),\(r.validationLoss.map { "\($0)" } ?? ""),\(r.validationAccuracy.map { "\($0)" } ?? ""),\(r.imagesPerSecond),\(r.seconds)\n"
            }
            try withOption("--history") { try AtomicFile.write(Data(csv.utf8), to: history, option: "--history") }
            print("Wrote history to \(history)")
        }
        if let plot {
            let svg = TrainingPlot.svg(records, title: "Keras CIFAR-10 CNN on ConvKit")
            try withOption("--plot") { try AtomicFile.write(Data(svg.utf8), to: plot, option: "--plot") }
            print("Wrote plot to \(plot)")
        }
    }
}

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Test accuracy and the confusion matrix of saved weights.")

    @Option(help: "The cifar-10-batches-bin folder.") var data: String
    @Option(help: "A model file written by 'cifar10 train --save'.") var weights: String
    @Option(parsing: .unconditional, help: "Threads (default: CONVKIT_NUM_THREADS or all cores).") var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    func run() throws {
        let model = try KerasTutorialCNN.make(context: commandContext(threads: threads))
        try withOption(["path": "--weights"]) { try ModelFile.load(weights, into: model) }
        let test: Dataset
        do {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: data, isDirectory: &isDirectory), !isDirectory.boolValue {
                throw CIFAR10Error.notADirectory(path: data)
            }
            test = try CIFAR10.load(file: data + "/" + CIFAR10.testFile)
        } catch { throw CommandError("--data: \(error)") }
        let confusion = try ConfusionMatrix(model: model, data: test).counts
        let correct = (0..<10).reduce(0) { $0 + confusion[$1][$1] }
        print(String(format: "Test accuracy: %.4f (%d of %d)", Double(correct) / Double(test.count), correct, test.count))
        print("Confusion matrix (rows: true class, columns: predicted):")
        let names = CIFAR10.classNames
        print(
            "".padding(toLength: 11, withPad: " ", startingAt: 0)
                + names.map { String($0.prefix(5)).padding(toLength: 6, withPad: " ", startingAt: 0) }.joined())
        for (i, row) in confusion.enumerated() {
            print(names[i].padding(toLength: 11, withPad: " ", startingAt: 0) + row.map { String(format: "%5d ", $0) }.joined())
        }
    }
}

struct Download: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Download and unpack cifar-10-binary.tar.gz from the CIFAR-10 home page.")

    @Option(help: "The folder to unpack into (cifar-10-batches-bin is created inside).") var to: String

    func run() throws {
        let live = isatty(STDOUT_FILENO) != 0
        do {
            let folder = try CIFAR10.download(to: to) { bytes, total in
                guard live else { return }
                let t = total.map { " of \($0 / 1_000_000) MB" } ?? ""
                print("\rdownloading: \(bytes / 1_000_000) MB\(t)", terminator: "")
                fflush(nil)
            }
            print((live ? "\n" : "") + "Unpacked into \(folder)")
        } catch { throw CommandError("\(error)") }
    }
}

/// The folder given with `--data`, else the cached download (fetched once).
func dataFolder(_ data: String?) throws -> String {
    if let data { return data }
    print("No --data given: looking for CIFAR-10 in \(CIFAR10.defaultCacheDirectory) (downloading \(CIFAR10.archiveURL) once if absent)")
    let live = isatty(STDOUT_FILENO) != 0
    do {
        let folder = try CIFAR10.cachedDataset { bytes, total in
            guard live else { return }
            let t = total.map { " of \($0 / 1_000_000) MB" } ?? ""
            print("\rdownloading: \(bytes / 1_000_000) MB\(t)", terminator: "")
            fflush(nil)
        }
        if live { print("") }
        return folder
    } catch let error as CIFAR10Error {
        if case .downloadFailed = error { throw CommandError("\(error); then pass the cifar-10-batches-bin folder with --data") }
        throw CommandError("\(error)")
    }
}

extension ShuffleMode: ExpressibleByArgument {}
