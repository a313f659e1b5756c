import ArgumentParser
import CommandSupport
import BenchReport
import ConvKit
import ConvNN
import Foundation

/// `cifar10 reproduce`: the tutorial's training for several seeds and image orders, saved as
/// results files, and the generated section of `Docs/Reproduction.md` made from them (with the
/// Keras and PyTorch runs of `Bench/frameworks`), so the page's tables are always those of a
/// command a reader can run again.
struct Reproduce: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train every seed and order, save the runs, and write the tables of Reproduction.md from them.",
        discussion:
            "Each run is 'cifar10 train' with that seed and --shuffle order (bitwise the same). --report-only rewrites the tables from saved runs without training."
    )

    @Option(help: "The cifar-10-batches-bin folder (without it, the cached download).") var data: String?
    @Option(help: "Seeds, comma-separated.") var seeds = "1,2,3"
    @Option(help: "Image orders, comma-separated: every-epoch, once.") var orders = "every-epoch,once"
    @Option(parsing: .unconditional, help: "Epochs (at least 1).") var epochs = 10
    @Option(parsing: .unconditional, help: "Batch size.") var batchSize = 32
    @Option(parsing: .unconditional, help: "Threads (default: CONVKIT_NUM_THREADS or all cores; the results do not depend on it).") var threads: Int?
    @Option(help: "Folder of the runs files (reproduction-convkit-ORDER.json).") var results = "Docs/results"
    @Option(parsing: .upToNextOption, help: "Runs files of other implementations (Bench/frameworks/*_cifar10_subset.py --json) for the same table.")
    var reference: [String] = []
    @Option(help: "Folder of Reproduction.md and figures/.") var out = "Docs"
    @Flag(help: "Only rewrite the tables from the saved runs.") var reportOnly = false

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        guard !seedList.isEmpty, seedList.allSatisfy({ $0 != nil }) else { throw ValidationError("--seeds takes integers separated by commas, got '\(seeds)'") }
        guard !orderList.isEmpty, orderList.allSatisfy({ $0 != nil }) else {
            throw ValidationError("--orders takes every-epoch and once, separated by commas, got '\(orders)'")
        }
    }

    var seedList: [UInt64?] { seeds.split(separator: ",").map { UInt64($0.trimmingCharacters(in: .whitespaces)) } }
    var orderList: [ShuffleMode?] { orders.split(separator: ",").map { ShuffleMode(rawValue: $0.trimmingCharacters(in: .whitespaces)) } }

    func path(of order: ShuffleMode) -> String { results + "/reproduction-convkit-\(order.rawValue).json" }

    func run() throws {
        let orders = orderList.compactMap { $0 }, seeds = seedList.compactMap { $0 }
        var references: [TrainingRuns] = []
        do { references = try reference.map { try TrainingRuns.load(path: $0) } } catch { throw CommandError("--reference: \(error)") }
        var convkit: [TrainingRuns] = []
        if reportOnly {
            do { convkit = try orders.map { try TrainingRuns.load(path: path(of: $0)) } } catch { throw CommandError("--results: \(error)") }
        } else {
            try withOption("--results") {
                for order in orders { try AtomicFile.checkWritable(path(of: order), bytes: 4096 * seeds.count, option: "--results") }
            }
            let ctx = try commandContext(threads: threads)
            let sets: (train: Dataset, test: Dataset)
            do { sets = try CIFAR10.load(directory: dataFolder(data)) } catch let e as CommandError { throw e } catch { throw CommandError("--data: \(error)") }
            guard batchSize <= sets.train.count else {
                throw CommandError("--batch-size must be between 1 and \(sets.train.count) (the training images), got \(batchSize)")
            }
            print(
                "\(sets.train.count) training, \(sets.test.count) test images; \(plural(epochs, "epoch")), batch \(batchSize), \(plural(ctx.threads, "thread")), ISA \(ctx.isa)"
            )
            let start = Date()
            for order in orders {
                var runs: [TrainingRuns.Run] = []
                for seed in seeds {
                    let model = try KerasTutorialCNN.make(seed: seed, context: ctx)
                    let records = try model.fit(
                        sets.train, epochs: epochs, batchSize: batchSize, optimizer: Adam(), validation: sets.test,
                        seed: seed, shuffle: order)
                    let last = records.last!
                    runs.append(
                        TrainingRuns.Run(
                            seed: Int(seed), testAccuracy: last.validationAccuracy ?? .nan, testLoss: last.validationLoss ?? .nan,
                            epochs: records.map {
                                TrainingRuns.Epoch(loss: $0.loss, accuracy: $0.accuracy, valLoss: $0.validationLoss, valAccuracy: $0.validationAccuracy)
                            }))
                    print(
                        String(
                            format: "order %@, seed %llu: test accuracy %.2f%%, loss %.4f (%.0f s elapsed)", order.rawValue, seed,
                            100 * (last.validationAccuracy ?? .nan), last.validationLoss ?? .nan, Date().timeIntervalSince(start)))
                    fflush(nil)
                    if order == orders.first && seed == seeds.first { try writeFigure(records) }
                }
                let file = TrainingRuns(framework: "ConvKit (\(ctx.isa) kernels)", order: order.rawValue, runs: runs)
                try withOption("--results") { try AtomicFile.write(JSONEncoder.sorted.encode(file), to: path(of: order), option: "--results") }
                convkit.append(file)
                print("wrote \(path(of: order))")
            }
        }
        let figure = "figures/cifar10-subset-seed1.svg"
        let section = ReproductionReport.render(convkit + references, detailed: convkit.first, figure: figure)
        let page = out + "/Reproduction.md"
        let existing = try? String(contentsOfFile: page, encoding: .utf8)
        try withOption("--out") { try AtomicFile.write(Data(ReproductionReport.section.splice(section, into: existing).utf8), to: page, option: "--out") }
        print("wrote \(page)")
    }

    func writeFigure(_ records: [EpochRecord]) throws {
        let svg = TrainingPlot.svg(records, title: "Keras CIFAR-10 CNN on ConvKit, seed \(seedList.first!!)")
        try withOption("--out") { try AtomicFile.write(Data(svg.utf8), to: out + "/figures/cifar10-subset-seed1.svg", option: "--out") }
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return e
    }
}
