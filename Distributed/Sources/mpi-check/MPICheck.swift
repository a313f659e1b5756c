import ArgumentParser
import ConvKit
import ConvNN
import ConvNNDistributed
import Dispatch
import Foundation

/// `mpirun -np N mpi-check`: checks that data-parallel training over MPI gives bitwise the weights
/// of one process (a small CNN with dropout, a regularizer and clipping, two batch sizes), or with
/// `--fail-rank R` that a rank that throws ends the whole job naming itself; `--benchmark` times
/// the Keras tutorial CNN and one gradient reduction.
@main
struct MPICheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mpi-check", abstract: "Data-parallel ConvNN over MPI: bitwise check, failing-rank check, benchmark.")

    @Option(help: "This rank throws before training (the job must stop with an error naming it).") var failRank: Int?
    @Flag(help: "Time the Keras tutorial CNN (images/s) and one gradient reduction instead.") var benchmark = false
    @Option(parsing: .upToNextOption, help: "Global batch sizes of the benchmark.") var batchSizes: [Int] = [64, 128]
    @Option(help: "Threads per process.") var threads = 1

    func run() throws {
        let group = try MPIProcessGroup.initialize()
        do {
            if benchmark { try runBenchmark(group) } else { try check(group) }
        } catch {
            group.abort("\(error)")
        }
        group.finalize()
    }

    static let input = TensorShape(height: 6, width: 6, channels: 2)

    static func model(seed: UInt64, threads: Int) throws -> Sequential {
        try Sequential(input: input, seed: seed, context: ExecutionContext(threads: threads)) {
            try Conv2D(filters: 4, kernelSize: 3, activation: .relu, kernelRegularizer: .l2(1e-3))
            try MaxPool2D(poolSize: 2)
            Flatten()
            try Dense(units: 8, activation: .tanh)
            try Dropout(rate: 0.3, seed: 5)
            try Dense(units: 3, activation: .softmax)
        }
    }

    func check(_ group: MPIProcessGroup) throws {
        var g = SplitMix64(seed: 4)
        let n = 130
        let images = (0..<(n * Self.input.count)).map { _ in Float.random(in: -1...1, using: &g) }
        let labels = (0..<n).map { _ in Int32.random(in: 0..<3, using: &g) }
        let data = try Dataset(shape: Self.input, images: images, labels: labels)
        if group.rank == failRank {
            throw ConvKitError.invalidArgument(name: "data", message: "this rank was asked to fail (--fail-rank \(group.rank))")
        }
        var mismatches = 0.0, floats = 0
        for batchSize in [48, 100] {
            let single = try Self.model(seed: 3, threads: threads)
            try single.fit(
                data, epochs: 3, batchSize: batchSize, optimizer: Adam(learningRate: 0.01, globalClipNorm: 5), loss: .categoricalCrossentropy(),
                seed: 9)
            // Other ranks start from other weights: rank 0's are broadcast.
            let parallel = try Self.model(seed: group.rank == 0 ? 3 : 70 + UInt64(group.rank), threads: threads)
            try DataParallel.fit(
                parallel, data, epochs: 3, batchSize: batchSize, optimizer: Adam(learningRate: 0.01, globalClipNorm: 5),
                loss: .categoricalCrossentropy(), seed: 9, group: group)
            let a = single.weights.flatMap { $0.values.map(\.bitPattern) }, b = parallel.weights.flatMap { $0.values.map(\.bitPattern) }
            mismatches += Double(zip(a, b).filter { $0 != $1 }.count)
            floats = a.count
        }
        let total = try group.sum([mismatches])[0]
        if group.rank == 0 {
            if total == 0 {
                print(
                    "mpi-check: \(group.size) process(es): weights after 3 epochs at batch 48 and 100 are bitwise those of one process (\(floats) floats, every rank)"
                )
            } else {
                print("mpi-check: \(group.size) process(es): \(Int(total)) weights differ from one process's")
            }
        }
        if total != 0 { throw ProcessGroupError.groupFailed(message: "weights differ from the single-process run") }
    }

    func runBenchmark(_ group: MPIProcessGroup) throws {
        for batchSize in batchSizes {
            var g = SplitMix64(seed: 1)
            let n = batchSize * 12
            let data = try Dataset(
                shape: TensorShape(height: 32, width: 32, channels: 3), images: (0..<(n * 3072)).map { _ in Float.random(in: 0...1, using: &g) },
                labels: (0..<n).map { _ in Int32.random(in: 0..<10, using: &g) })
            let model = try KerasTutorialCNN.make(seed: 1, context: ExecutionContext(threads: threads))
            let history = try DataParallel.fit(model, data, epochs: 3, batchSize: batchSize, optimizer: Adam(), seed: 1, group: group)
            let rate = history.dropFirst().map(\.imagesPerSecond).max() ?? 0
            // One gradient reduction of the tutorial CNN: the chain over the ranks, then the broadcast.
            let floats = model.parameterCount
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: floats)
            defer { buffer.deallocate() }
            buffer.initialize(repeating: 1)
            var times: [Double] = []
            for _ in 0..<30 {
                _ = try group.sum([0])  // line the ranks up
                let start = DispatchTime.now().uptimeNanoseconds
                if group.rank > 0 { try group.receive(buffer, from: group.rank - 1) }
                if group.rank < group.size - 1 { try group.send(UnsafeBufferPointer(buffer), to: group.rank + 1) }
                try group.broadcast(buffer, root: group.size - 1)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
            }
            let reduction = times.sorted()[times.count / 2]
            if group.rank == 0 {
                let step = Double(batchSize) / rate
                print(
                    String(
                        format:
                            "benchmark: %d process(es) x %d thread(s), batch %d: %.0f images/s (step %.2f ms); one gradient reduction of %d KB: %.3f ms (%.1f%% of the step)",
                        group.size, threads, batchSize, rate, step * 1e3, floats * 4 / 1000, reduction * 1e3, 100 * reduction / step))
            }
        }
    }
}
