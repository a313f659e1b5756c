import ArgumentParser
import BenchReport
import ConvKit
import ConvNN

/// `convbench train`: training throughput (forward + backward + Adam, images/s) of the Keras
/// CIFAR-10 tutorial CNN at batch 32, 64 and 128 and inference throughput at batch 128, on 1 and
/// 2 threads, with synthetic data. Same-run comparisons with PyTorch and TensorFlow are made by
/// `Bench/frameworks/torch_reference.py`, `tf_reference.py` and `compare.py`.
struct TrainBenchmark: ParsableCommand, BenchSuite {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "CNN training and inference throughput (images/s).")

    @OptionGroup var options: BenchOptions

    @Option(name: .long, parsing: .upToNextOption, help: "Training batch sizes, comma- or space-separated.")
    var batches: [String] = ["32,64,128"]

    @Flag(name: .long, help: "Skip the inference row.")
    var noInference = false

    func run() throws { try measureAndSave() }

    /// Seconds of timed epochs per row: `--min-time`, at least 1 s.
    var budget: Double { max(options.minTime, 1.0) }

    func measure() throws -> [BenchmarkRecord] {
        let isa = try options.isaLevel()
        var records: [BenchmarkRecord] = []
        func record(_ mode: String, _ batch: Int, _ t: Int, _ times: (Sample, images: Int)) {
            let (sample, images) = times
            let rate = Double(images) / sample.median
            let batches = Double(images / batch)
            records.append(
                BenchmarkRecord(
                    suite: "train", name: "\(mode) b\(batch)", threads: t, isa: isa.rawValue, milliseconds: sample.median / batches * 1e3,
                    bestMilliseconds: sample.best / batches * 1e3, value: rate, unit: "images/s",
                    runs: sample.runs, note: mode == "training" ? "forward + backward + Adam per batch, synthetic data" : "forward only"))
            print(row(mode, batch, t, rate))
        }
        print("mode        batch thr    images/s  ms/batch")
        for t in options.threadCounts {
            let context = try ExecutionContext(threads: t, isa: isa)
            for batch in try listIntegers(batches, option: "batches") {
                record("training", batch, t, try trainingTimes(batch: batch, context: context))
            }
            if !noInference {
                record("inference", 128, t, try inferenceTimes(batch: 128, context: context))
            }
        }
        return records
    }

    func row(_ mode: String, _ batch: Int, _ t: Int, _ rate: Double) -> String {
        String(
            format: "%@ %5d %3d %11.0f %9.3f", mode.padding(toLength: 11, withPad: " ", startingAt: 0),
            batch, t, rate, Double(batch) / rate * 1e3)
    }

    func syntheticData(_ n: Int) throws -> Dataset {
        var g = SplitMix64(seed: 7)
        return try Dataset(
            shape: CIFAR10.shape, images: (0..<(n * 3072)).map { _ in Float.random(in: 0...1, using: &g) },
            labels: (0..<n).map { _ in Int32.random(in: 0..<10, using: &g) })
    }

    /// Times of one `fit` epoch of 16 batches of synthetic data (the first epochs are the warm-up).
    func trainingTimes(batch: Int, context: ExecutionContext) throws -> (Sample, images: Int) {
        let data = try syntheticData(batch * 16)
        let model = try KerasTutorialCNN.make(seed: 1, context: context)
        let optimizer = Adam()
        let sample = try Timing(runs: 3, minTime: budget).measure {
            try model.fit(data, epochs: 1, batchSize: batch, optimizer: optimizer)
        }
        return (sample, data.count)
    }

    /// Times of `predict` over 8 batches of synthetic data.
    func inferenceTimes(batch: Int, context: ExecutionContext) throws -> (Sample, images: Int) {
        let data = try syntheticData(batch * 8)
        let model = try KerasTutorialCNN.make(seed: 1, context: context)
        let sample = try Timing(runs: 3, minTime: budget).measure {
            _ = try model.predict(data.images, batchSize: batch)
        }
        return (sample, data.count)
    }
}
