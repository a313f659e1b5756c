import ConvKit
import ConvNN
import Foundation
import Testing

@Suite("Training checkpoints")
struct TrainingCheckpointTests {
    /// A small model with Dropout (whose mask counters are training state outside the weights).
    static func model(seed: UInt64 = 5, threads: Int = 2) throws -> Sequential {
        try Sequential(input: TinyNetwork.input, seed: seed, context: ExecutionContext(threads: threads)) {
            try Conv2D(filters: 3, kernelSize: 3, activation: .relu)
            try MaxPool2D(poolSize: 2)
            Flatten()
            try Dropout(rate: 0.3, seed: 8)
            try Dense(units: 4, activation: .relu)
            try Dense(units: 3)
        }
    }

    static func bits(_ m: Sequential) -> [UInt32] { m.parameters.flatMap { $0.values.map(\.bitPattern) } }

    static func path(_ name: String) -> String {
        NSTemporaryDirectory() + "/convnn-ck-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).ckpt"
    }

    @Test(
        "a run stopped after any epoch and resumed gives the uninterrupted run's weights and history bitwise (Dropout, every optimizer with state, every shuffle mode)",
        arguments: [ShuffleMode.everyEpoch, .once, .none])
    func resumeIsBitwise(shuffle: ShuffleMode) throws {
        let data = try TinyNetwork.randomData(count: 80, seed: 4)
        let validation = try TinyNetwork.randomData(count: 20, seed: 9)
        let optimizers: [() -> any Optimizer] = [
            { Adam() }, { SGD(learningRate: 0.05, momentum: 0.9) }, { SGD(learningRate: 0.05, momentum: 0.9, nesterov: true) },
            { Adagrad(learningRate: 0.05) }, { RMSprop(momentum: 0.5, centered: true) }, { Nadam() }, { AdamW() },
        ]
        for makeOptimizer in optimizers {
            let straight = try Self.model()
            let full = try straight.fit(
                data, epochs: 4, batchSize: 48, optimizer: makeOptimizer(), validation: validation,
                seed: 6, shuffle: shuffle)
            for stop in 1...3 {
                let file = Self.path("resume")
                defer { try? FileManager.default.removeItem(atPath: file) }
                let first = try Self.model()
                try first.fit(
                    data, epochs: stop, batchSize: 48, optimizer: makeOptimizer(), validation: validation, seed: 6,
                    shuffle: shuffle, checkpoint: file)
                // A fresh process: new model (other initial weights), new optimizer.
                let resumed = try Self.model(seed: 99, threads: 1)
                let history = try resumed.fit(
                    data, epochs: 4, batchSize: 48, optimizer: makeOptimizer(), validation: validation,
                    seed: 6, shuffle: shuffle, resume: file)
                #expect(Self.bits(resumed) == Self.bits(straight), "stopped after epoch \(stop)")
                #expect(history.map(\.epoch) == [1, 2, 3, 4])
                #expect(history.map(\.loss) == full.map(\.loss) && history.map(\.validationAccuracy) == full.map(\.validationAccuracy))
            }
        }
    }

    @Test("resuming with other settings, a corrupt file or an optimizer without state throws before training, naming the option")
    func resumeMismatches() throws {
        let data = try TinyNetwork.randomData(count: 80, seed: 4)
        let file = Self.path("mismatch")
        defer { try? FileManager.default.removeItem(atPath: file) }
        try Self.model().fit(data, epochs: 1, batchSize: 48, optimizer: Adam(), seed: 6, checkpoint: file)
        func message(_ body: () throws -> Void) -> String {
            do { try body(); return "no error" } catch let ConvKitError.invalidArgument(name, message) { return name + ": " + message } catch {
                return "\(error)"
            }
        }
        let m = try Self.model(seed: 1)
        let before = Self.bits(m)
        #expect(message { try m.fit(data, epochs: 2, batchSize: 32, optimizer: Adam(), seed: 6, resume: file) }.contains("batch size"))
        #expect(message { try m.fit(data, epochs: 2, batchSize: 48, optimizer: Adam(), seed: 7, resume: file) }.contains("seed"))
        #expect(
            message { try m.fit(data, epochs: 2, batchSize: 48, optimizer: Adam(learningRate: 0.01), seed: 6, resume: file) }
                .contains("optimizer"))
        #expect(message { try m.fit(data, epochs: 2, batchSize: 48, optimizer: SGD(), seed: 6, resume: file) }.contains("optimizer"))
        #expect(
            message { try m.fit(data, epochs: 2, batchSize: 48, optimizer: Adam(), seed: 6, shuffle: .none, resume: file) }
                .contains("shuffle"))
        #expect(Self.bits(m) == before, "a refused checkpoint changed the weights")
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        bytes[bytes.count - 3] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let corrupt = message { try m.fit(data, epochs: 2, batchSize: 48, optimizer: Adam(), seed: 6, resume: file) }
        #expect(corrupt.hasPrefix("resume: ") && corrupt.contains("corrupt"), "\(corrupt)")
        let missing = message { try m.fit(data, epochs: 2, batchSize: 48, optimizer: Adam(), seed: 6, resume: file + ".missing") }
        #expect(missing.hasPrefix("resume: ") && missing.contains("does not exist"), "\(missing)")
        final class Plain: Optimizer { func update(_ parameters: [Parameter], step: Int) throws {} }
        #expect(message { try m.fit(data, epochs: 1, batchSize: 48, optimizer: Plain(), checkpoint: file) }.contains("cannot be checkpointed"))
        #expect(
            message { try m.fit(data, epochs: 1, batchSize: 48, optimizer: Adam(), checkpoint: NSTemporaryDirectory()) }
                .hasPrefix("checkpoint: "))
    }

    @Test("fit names epochs and batchSize separately, and a batch size above the data trains on whole-data batches without a huge buffer")
    func batchSizeCap() throws {
        let data = try TinyNetwork.randomData(count: 40, seed: 4)
        let m = try Self.model()
        #expect(throws: ConvKitError.invalidArgument(name: "epochs", message: "must be >= 0, got -1")) {
            try m.fit(data, epochs: -1, batchSize: 8, optimizer: Adam())
        }
        #expect(throws: ConvKitError.invalidArgument(name: "batchSize", message: "must be >= 1, got 0")) {
            try m.fit(data, epochs: 1, batchSize: 0, optimizer: Adam())
        }
        let a = try Self.model(), b = try Self.model()
        try a.fit(data, epochs: 2, batchSize: Int.max, optimizer: Adam(), seed: 3)
        try b.fit(data, epochs: 2, batchSize: 40, optimizer: Adam(), seed: 3)
        #expect(Self.bits(a) == Self.bits(b))
    }

    @Test("shapes with a size below 1 or a per-example count that overflows Int throw instead of trapping")
    func badShapes() throws {
        #expect(throws: ConvKitError.self) { _ = try Sequential(input: TensorShape(height: -4, width: 4, channels: 1)) { Flatten() } }
        #expect(throws: ConvKitError.self) {
            _ = try Sequential(input: TensorShape(height: 1 << 31, width: 1 << 31, channels: 4)) { Flatten() }
        }
        #expect(throws: ConvKitError.self) { _ = try Dataset(shape: TensorShape(height: 0, width: 1, channels: 1), images: [], labels: []) }
        #expect(throws: ConvKitError.self) {
            _ = try Dataset(shape: TensorShape(height: 1 << 40, width: 1 << 30, channels: 1), images: [], labels: [1])
        }
    }
}
