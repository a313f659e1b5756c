import ConvKit
import ConvNN
import Foundation
import Testing

/// Training with the whole toolbox: batch normalization, dropout, every activation, a
/// regularizer, a schedule and clipping; thread counts, model files, checkpoints, fit's options.
@Suite("Training with the course toolbox")
struct ToolboxTrainingTests {
    static let input = TensorShape(height: 6, width: 6, channels: 2)

    static func model(threads: Int, seed: UInt64 = 11, regularizer: Regularizer? = .l2(1e-3)) throws -> Sequential {
        try Sequential(input: input, seed: seed, context: ExecutionContext(threads: threads)) {
            try Conv2D(filters: 4, kernelSize: 3, activation: .elu, kernelRegularizer: regularizer)
            try BatchNormalization()
            try LeakyReLU()
            try MaxPool2D(poolSize: 2)
            Flatten()
            try Dense(units: 8, activation: .sigmoid)
            try Dropout(rate: 0.25, seed: 3)
            try Dense(units: 6, activation: .softplus)
            try BatchNormalization(momentum: 0.9)
            ActivationLayer(.tanh)
            try ELU(alpha: 0.7)
            try Dense(units: 5, activation: .leakyReLU)
            ActivationLayer(.relu)
            try Dense(units: 3, activation: .softmax)
        }
    }

    static func optimizer() -> any Optimizer {
        Nadam(learningRate: .cosineDecay(0.01, decaySteps: 20), globalClipNorm: 1)
    }

    static func bits(_ m: Sequential) -> [UInt32] { m.weights.flatMap { $0.values.map(\.bitPattern) } }

    @Test("training is bitwise the same on 1, 2 and 3 threads (batch statistics combined in slice order)")
    func threadsBitwise() throws {
        let data = try GradientCheck.data(Self.input, count: 100, classes: 3, seed: 4)
        var results: [[UInt32]] = []
        var losses: [[Double]] = []
        for threads in [1, 2, 3] {
            let m = try Self.model(threads: threads)
            let history = try m.fit(data, epochs: 2, batchSize: 48, optimizer: Self.optimizer(), loss: .categoricalCrossentropy(), seed: 2)
            results.append(Self.bits(m))
            losses.append(history.map(\.loss))
        }
        #expect(Sequential.sliceCount(batch: 48) == 3)
        #expect(results[0] == results[1] && results[0] == results[2])
        #expect(losses[0] == losses[1] && losses[0] == losses[2])
    }

    @Test("a model file round-trips every new layer and setting: same predictions after loading")
    func modelFile() throws {
        let data = try GradientCheck.data(Self.input, count: 30, classes: 3, seed: 5)
        let trained = try Self.model(threads: 2)
        try trained.fit(data, epochs: 1, batchSize: 16, optimizer: Self.optimizer(), seed: 1)
        let path = NSTemporaryDirectory() + "/convnn-toolbox-\(getpid()).convnn"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ModelFile.save(trained, to: path)
        let fresh = try Self.model(threads: 1, seed: 99)
        #expect(try fresh.predict(data.images) != trained.predict(data.images))
        try ModelFile.load(path, into: fresh)
        #expect(try fresh.predict(data.images).map(\.bitPattern) == trained.predict(data.images).map(\.bitPattern))
        #expect(Self.bits(fresh) == Self.bits(trained))
        // A model whose regularizer or activation differs is refused, naming the setting.
        let other = try Self.model(threads: 1, seed: 1, regularizer: nil)
        do {
            try ModelFile.load(path, into: other)
            Issue.record("a file with a regularizer loaded into a model without")
        } catch let ConvKitError.invalidArgument(_, message) {
            #expect(message.contains("kernel_regularizer"), "\(message)")
        }
    }

    @Test("a checkpointed run with batch normalization, a schedule and clipping resumes bitwise")
    func checkpointResume() throws {
        let data = try GradientCheck.data(Self.input, count: 64, classes: 3, seed: 6)
        let path = NSTemporaryDirectory() + "/convnn-toolbox-\(getpid()).checkpoint"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let whole = try Self.model(threads: 2)
        try whole.fit(data, epochs: 3, batchSize: 32, optimizer: Self.optimizer(), seed: 3)
        let first = try Self.model(threads: 2)
        try first.fit(data, epochs: 1, batchSize: 32, optimizer: Self.optimizer(), seed: 3, checkpoint: path)
        let resumed = try Self.model(threads: 1)
        try resumed.fit(data, epochs: 3, batchSize: 32, optimizer: Self.optimizer(), seed: 3, resume: path)
        #expect(Self.bits(resumed) == Self.bits(whole))
        // Another clipping setting is another run.
        #expect(throws: ConvKitError.self) {
            try Self.model(threads: 1).fit(
                data, epochs: 3, batchSize: 32, optimizer: Nadam(learningRate: .cosineDecay(0.01, decaySteps: 20)), seed: 3, resume: path)
        }
    }

    @Test("validationSplit holds out the last examples before shuffling, as Keras' validation_split")
    func validationSplit() throws {
        let data = try GradientCheck.data(Self.input, count: 50, classes: 3, seed: 7)
        let a = try Self.model(threads: 2), b = try Self.model(threads: 2)
        let split = try a.fit(data, epochs: 2, batchSize: 16, optimizer: Self.optimizer(), validationSplit: 0.2, seed: 4)
        let explicit = try b.fit(
            data.prefix(40), epochs: 2, batchSize: 16, optimizer: Self.optimizer(), validation: data.slice(40..<50), seed: 4)
        #expect(split.map(\.validationLoss) == explicit.map(\.validationLoss))
        #expect(Self.bits(a) == Self.bits(b))
        #expect(throws: ConvKitError.self) { try a.fit(data, epochs: 1, batchSize: 8, optimizer: SGD(), validationSplit: 1) }
        #expect(throws: ConvKitError.self) {
            try a.fit(data, epochs: 1, batchSize: 8, optimizer: SGD(), validation: data, validationSplit: 0.1)
        }
    }

    @Test("EarlyStopping stops after `patience` epochs without improvement and restores the best epoch's weights")
    func earlyStopping() throws {
        let data = try GradientCheck.data(Self.input, count: 40, classes: 3, seed: 8)
        let m = try Self.model(threads: 2)
        var snapshots: [Int: [UInt32]] = [:]
        let recorder = EpochCallback { record, model in
            snapshots[record.epoch] = Self.bits(model)
            return .proceed
        }
        // A learning rate that makes training diverge: validation loss worsens after a few epochs.
        let stopper = try EarlyStopping(monitor: .validationLoss, patience: 2, restoreBestWeights: true)
        let history = try m.fit(
            data, epochs: 30, batchSize: 8, optimizer: SGD(learningRate: 3), validationSplit: 0.25, seed: 1,
            callbacks: [recorder, stopper])
        let losses = history.map { $0.validationLoss! }
        let best = losses.indices.min { losses[$0] < losses[$1] }!
        #expect(history.count < 30, "did not stop: \(losses)")
        #expect(stopper.stoppedEpoch == history.count && history.count == best + 1 + 2, "\(losses)")
        #expect(stopper.bestEpoch == best + 1)
        #expect(Self.bits(m) == snapshots[best + 1])
        // A callback can stop training itself.
        let two = EpochCallback { record, _ in record.epoch == 2 ? .stop : .proceed }
        #expect(try Self.model(threads: 1).fit(data, epochs: 9, batchSize: 8, optimizer: SGD(), callbacks: [two]).count == 2)
        // Monitoring validation values needs validation data.
        #expect(throws: ConvKitError.self) {
            try Self.model(threads: 1).fit(data, epochs: 2, batchSize: 8, optimizer: SGD(), callbacks: [try EarlyStopping()])
        }
    }
}
