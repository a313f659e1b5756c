import ArgumentParser
import ConvKit
import ConvNN
import Foundation

/// `cifar10`: train and evaluate the Keras tutorial CNN on CIFAR-10 with ConvKit.
@main
struct CIFAR10Command: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cifar10",
        abstract: "Train the Keras CIFAR-10 tutorial CNN on the CPU with ConvKit.",
        subcommands: [Train.self, Evaluate.self, Download.self], defaultSubcommand: Train.self)
}

/// Prints `message` to standard error and exits with status 1.
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("error: " + message + "\n").utf8))
    Foundation.exit(1)
}

func context(threads: Int?) throws -> ExecutionContext {
    try ExecutionContext(threads: threads ?? ExecutionContext.fromEnvironment().threads)
}

func progressBar(_ fraction: Double, width: Int = 24) -> String {
    let filled = Int((fraction * Double(width)).rounded(.down))
    return "[" + String(repeating: "=", count: filled) + (filled < width ? ">" : "")
        + String(repeating: ".", count: max(0, width - filled - 1)) + "]"
}

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Train the model; prints the summary, one progress line per epoch and the validation result.")

    @Option(help: "The cifar-10-batches-bin folder. Without it, the official archive is downloaded once into \(CIFAR10.defaultCacheDirectory) and reused.")
    var data: String?
    @Option(help: "Epochs.") var epochs = 10
    @Option(help: "Batch size.") var batchSize = 32
    @Option(help: "Threads (default: CONVKIT_NUM_THREADS or all cores).") var threads: Int?
    @Option(help: "Seed of the weight initialisation and the shuffling.") var seed: UInt64 = 1
    @Option(help: "Save the trained weights to this file.") var save: String?
    @Option(help: "Write the per-epoch history to this CSV file.") var history: String?
    @Option(help: "Write an SVG chart of the loss and accuracy curves to this file.") var plot: String?
    @Option(help: "Order of the training images: every-epoch (a new permutation each epoch), once (one permutation repeated every epoch, as Keras 3 on TensorFlow does after keras.utils.set_random_seed) or none.")
    var shuffle: ShuffleMode = .everyEpoch
    @Flag(help: "Keep denormal floats (by default ConvKit flushes them to zero, as TensorFlow does; for measuring that choice).")
    var keepDenormals = false

    func run() throws {
        let folder: String
        if let data {
            folder = data
        } else {
            print("No --data given: looking for CIFAR-10 in \(CIFAR10.defaultCacheDirectory) (downloading \(CIFAR10.archiveURL) once if absent)")
            do {
                folder = try CIFAR10.cachedDataset { bytes, total in
                    let t = total.map { " of \($0 / 1_000_000) MB" } ?? ""
                    print("\rdownloading: \(bytes / 1_000_000) MB\(t)", terminator: "")
                    flushOutput()
                }
                print("")
            } catch { fail("\(error)") }
        }
        let sets: (train: Dataset, test: Dataset)
        do { sets = try CIFAR10.load(directory: folder) } catch { fail("\(error)") }
        let ctx = try context(threads: threads)
        if keepDenormals { Denormals.flushToZero = false }
        let model = try KerasTutorialCNN.make(seed: seed, context: ctx)
        print(model.summary())
        print("Training on \(sets.train.count) images, validating on \(sets.test.count); batch \(batchSize), \(epochs) epochs, shuffled \(shuffle.rawValue), Adam, \(ctx.threads) thread(s), ISA \(ctx.isa)")
        var lastLength = 0
        let records = try model.fit(
            sets.train, epochs: epochs, batchSize: batchSize, optimizer: Adam(), validation: sets.test, seed: seed, shuffle: shuffle,
            onBatch: { p in
                guard p.batch == p.batches || p.batch % 8 == 0 else { return }
                let line = String(format: "Epoch %d/%d %@ %d/%d - %.0f img/s - loss %.4f - accuracy %.4f - ETA %.0fs",
                                  p.epoch, p.epochs, progressBar(Double(p.batch) / Double(p.batches)), p.batch, p.batches,
                                  p.imagesPerSecond, p.loss, p.accuracy, p.eta)
                print("\r" + line + String(repeating: " ", count: max(0, lastLength - line.count)), terminator: "")
                lastLength = line.count
                flushOutput()
            },
            onEpoch: { r in
                print(String(format: "\n  %.1fs - %.0f img/s - loss %.4f - accuracy %.4f - val_loss %.4f - val_accuracy %.4f",
                             r.seconds, r.imagesPerSecond, r.loss, r.accuracy, r.validationLoss ?? .nan, r.validationAccuracy ?? .nan))
                lastLength = 0
            })
        if let final = records.last {
            print(String(format: "Test accuracy after %d epochs: %.4f (loss %.4f)", final.epoch, final.validationAccuracy ?? .nan, final.validationLoss ?? .nan))
        }
        if let save {
            try ModelFile.save(model, to: save)
            print("Saved weights to \(save)")
        }
        if let history {
            var csv = "epoch,loss,accuracy,val_loss,val_accuracy,images_per_second,seconds\n"
            for r in records {
                csv += "\(r.epoch),\(r.loss),\(r.accuracy),\(r.validationLoss.map { "\($0)" } ?? ""),\(r.validationAccuracy.map { "\($0)" } ?? ""),\(r.imagesPerSecond),\(r.seconds)\n"
            }
            try csv.write(toFile: history, atomically: true, encoding: .utf8)
            print("Wrote history to \(history)")
        }
        if let plot {
            try TrainingPlot.svg(records, title: "Keras CIFAR-10 CNN on ConvKit").write(toFile: plot, atomically: true, encoding: .utf8)
            print("Wrote plot to \(plot)")
        }
    }
}

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Test accuracy and the confusion matrix of saved weights.")

    @Option(help: "The cifar-10-batches-bin folder.") var data: String
    @Option(help: "A model file written by 'cifar10 train --save'.") var weights: String
    @Option(help: "Threads.") var threads: Int?

    func run() throws {
        let test: Dataset
        do { test = try CIFAR10.load(file: data + "/" + CIFAR10.testFile) } catch { fail("\(error)") }
        let model = try KerasTutorialCNN.make(context: context(threads: threads))
        do { try ModelFile.load(weights, into: model) } catch { fail("\(error)") }
        let logits = try model.predict(test.images)
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: 10), count: 10)
        for i in 0..<test.count {
            let row = logits[(i * 10)..<(i * 10 + 10)]
            let predicted = row.indices.max { row[$0] < row[$1] }! - i * 10
            confusion[Int(test.labels[i])][predicted] += 1
        }
        let correct = (0..<10).reduce(0) { $0 + confusion[$1][$1] }
        print(String(format: "Test accuracy: %.4f (%d of %d)", Double(correct) / Double(test.count), correct, test.count))
        print("Confusion matrix (rows: true class, columns: predicted):")
        let names = CIFAR10.classNames
        print("".padding(toLength: 11, withPad: " ", startingAt: 0) + names.map { String($0.prefix(5)).padding(toLength: 6, withPad: " ", startingAt: 0) }.joined())
        for (i, row) in confusion.enumerated() {
            print(names[i].padding(toLength: 11, withPad: " ", startingAt: 0) + row.map { String(format: "%5d ", $0) }.joined())
        }
    }
}

struct Download: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Download and unpack cifar-10-binary.tar.gz from the CIFAR-10 home page.")

    @Option(help: "The folder to unpack into (cifar-10-batches-bin is created inside).") var to: String

    func run() throws {
        do {
            let folder = try CIFAR10.download(to: to) { bytes, total in
                let t = total.map { " of \($0 / 1_000_000) MB" } ?? ""
                print("\rdownloading: \(bytes / 1_000_000) MB\(t)", terminator: "")
                flushOutput()
            }
            print("\nUnpacked into \(folder)")
        } catch { fail("\(error)") }
    }
}

/// Flushes standard output (progress lines end in a carriage return, not a newline).
func flushOutput() {
    fflush(nil)  // flushes every output stream, standard output included
}

extension ShuffleMode: ExpressibleByArgument {}
