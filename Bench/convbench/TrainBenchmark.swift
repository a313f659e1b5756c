import ArgumentParser
import ConvKit
import ConvNN
import Dispatch

/// `convbench train`: training throughput (forward + backward + Adam, images/s) of the Keras
/// CIFAR-10 tutorial CNN at batch 32, 64 and 128 and inference throughput at batch 128, on 1 and
/// 2 threads, with synthetic data; compared with TensorFlow 2.21's figures measured on this
/// machine (from the issue and Docs: fastest training path 5,700 / 10,000 images/s at batch 64,
/// inference 17,500 / 33,000 at batch 128, for 1 / 2 threads).
struct TrainBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "CNN training and inference throughput (images/s) vs TensorFlow's figures.")

    @OptionGroup var threadCounts: ThreadCounts
    var threads: [Int] { threadCounts.values }

    @Option(name: .long, parsing: .upToNextOption, help: "Training batch sizes.")
    var batches: [Int] = [32, 64, 128]

    @Option(name: .long, help: "Seconds of timing per row.")
    var budget: Double = 1.0

    static let tensorflowTraining: [Int: Double] = [1: 5_700, 2: 10_000]   // batch 64
    static let tensorflowInference: [Int: Double] = [1: 17_500, 2: 33_000] // batch 128

    func run() throws {
        print("mode        batch thr    images/s  ms/batch   TensorFlow  ratio")
        for t in threads {
            let context = try ExecutionContext(threads: t)
            for batch in batches {
                let rate = try trainingRate(batch: batch, context: context)
                let tf = batch == 64 ? Self.tensorflowTraining[t] : nil
                print(row("training", batch, t, rate, tf))
            }
            let rate = try inferenceRate(batch: 128, context: context)
            print(row("inference", 128, t, rate, Self.tensorflowInference[t]))
        }
    }

    func row(_ mode: String, _ batch: Int, _ t: Int, _ rate: Double, _ tf: Double?) -> String {
        let reference = tf.map { String(format: "%10.0f  %5.2fx", $0, rate / $0) } ?? "         -      -"
        return String(format: "%@ %5d %3d %11.0f %9.3f %@", mode.padding(toLength: 11, withPad: " ", startingAt: 0),
                      batch, t, rate, Double(batch) / rate * 1e3, reference)
    }

    func syntheticData(_ n: Int) throws -> Dataset {
        var g = SplitMix64(seed: 7)
        return try Dataset(shape: CIFAR10.shape, images: (0..<(n * 3072)).map { _ in Float.random(in: 0...1, using: &g) },
                           labels: (0..<n).map { _ in Int32.random(in: 0..<10, using: &g) })
    }

    /// Images per second of `fit` over whole epochs of synthetic data (after a warm-up epoch).
    func trainingRate(batch: Int, context: ExecutionContext) throws -> Double {
        let data = try syntheticData(batch * 16)
        let model = try KerasTutorialCNN.make(seed: 1, context: context)
        let optimizer = Adam()
        try model.fit(data, epochs: 1, batchSize: batch, optimizer: optimizer)
        var images = 0
        let start = DispatchTime.now().uptimeNanoseconds
        var elapsed = 0.0
        repeat {
            try model.fit(data, epochs: 1, batchSize: batch, optimizer: optimizer)
            images += data.count
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        } while elapsed < budget
        return Double(images) / elapsed
    }

    func inferenceRate(batch: Int, context: ExecutionContext) throws -> Double {
        let data = try syntheticData(batch * 8)
        let model = try KerasTutorialCNN.make(seed: 1, context: context)
        _ = try model.predict(data.images, batchSize: batch)
        var images = 0
        let start = DispatchTime.now().uptimeNanoseconds
        var elapsed = 0.0
        repeat {
            _ = try model.predict(data.images, batchSize: batch)
            images += data.count
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        } while elapsed < budget
        return Double(images) / elapsed
    }
}
