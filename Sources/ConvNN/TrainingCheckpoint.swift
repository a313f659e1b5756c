import ConvKit
import Foundation

/// An optimizer whose state (moments, velocities) can be saved in a checkpoint and restored
/// bit for bit.
protocol CheckpointableOptimizer: Optimizer {
    /// Keras' class name and the hyper-parameters, compared when a run is resumed.
    var checkpointIdentity: String { get }
    /// The state tensors for `parameters`, in a fixed order (zeros where none exists yet).
    func stateTensors(for parameters: [Parameter]) -> [(name: String, values: UnsafeMutableBufferPointer<Float>)]
}

/// A layer with state that changes during training outside its parameters (Dropout's mask
/// counters), saved in checkpoints.
protocol CheckpointableLayer: Layer {
    var checkpointState: [UInt64] { get }
    func restore(checkpointState: [UInt64]) throws
}

/// A training run saved after an epoch: the model's weights, the optimizer's state, the layers'
/// training state, the step and epoch counters, the settings the run must be resumed with and
/// the history so far. Resuming from it continues bitwise as if the run had never stopped.
///
/// File: the 8 bytes `CONVNNCP`, a little-endian UInt64 header length, a JSON header, then the
/// model's tensors and the optimizer's, little-endian float32, with their CRC-32 in the header.
enum TrainingCheckpoint {
    static let magic = Array("CONVNNCP".utf8)

    struct Header: Codable {
        var format = "convnn-checkpoint"
        var version = 1
        var model: ModelFile.Header
        var optimizer: String
        var optimizerTensors: [String]
        var layerStates: [String: [UInt64]]
        var epochsDone: Int
        var step: Int
        var seed: UInt64
        var shuffle: String
        var batchSize: Int
        var examples: Int
        var history: [EpochRecord]
        var checksum: UInt32
    }

    /// The settings a checkpoint must have been written with to be resumed by a run.
    struct Run {
        var seed: UInt64
        var shuffle: ShuffleMode
        var batchSize: Int
        var examples: Int
    }

    /// Throws unless checkpoints can be written for this model and optimizer.
    /// The optimizer's settings as a checkpoint records them, with its clipping when it has any.
    static func identity(of optimizer: any CheckpointableOptimizer) -> String {
        let clipping = (optimizer as? any ScheduledOptimizer)?.clipping ?? GradientClipping()
        return optimizer.checkpointIdentity + (clipping.isActive ? " \(clipping)" : "")
    }

    static func requireCheckpointable(_ optimizer: any Optimizer) throws -> any CheckpointableOptimizer {
        guard let o = optimizer as? any CheckpointableOptimizer else {
            throw ConvKitError.invalidArgument(
                name: "optimizer", message: "\(type(of: optimizer)) cannot be checkpointed; SGD, Adam, AdamW, Adagrad, RMSprop and Nadam can")
        }
        return o
    }

    static func save(
        _ model: Sequential, optimizer: any CheckpointableOptimizer, run: Run, epochsDone: Int, step: Int,
        history: [EpochRecord], to path: String, option: String
    ) throws {
        let state = optimizer.stateTensors(for: model.parameters)
        let tensors = model.weights.map { UnsafeBufferPointer($0.value) } + state.map { UnsafeBufferPointer($0.values) }
        let body = TensorBytes.encode(tensors)
        var layerStates: [String: [UInt64]] = [:]
        for case let layer as any CheckpointableLayer in model.layers { layerStates[layer.name] = layer.checkpointState }
        var modelHeader = ModelFile.header(of: model)
        modelHeader.checksum = nil
        let header = Header(
            model: modelHeader, optimizer: identity(of: optimizer), optimizerTensors: state.map(\.name),
            layerStates: layerStates, epochsDone: epochsDone, step: step, seed: run.seed,
            shuffle: run.shuffle.rawValue, batchSize: run.batchSize, examples: run.examples,
            history: history, checksum: body.checksum)
        try AtomicFile.write(Container.encode(magic: magic, header: header, body: body.data), to: path, option: option)
    }

    /// Restores `model`, `optimizer` and the layers' state from `path`; returns the epochs done,
    /// the step count and the history. Nothing is changed when the file does not fit the run.
    static func resume(
        _ model: Sequential, optimizer: any CheckpointableOptimizer, run: Run, epochs: Int,
        from path: String, option: String
    ) throws -> (epochsDone: Int, step: Int, history: [EpochRecord]) {
        let header: Header, body: Data
        do {
            (header, body) = try Container.decode(Header.self, magic: magic, path: path, what: "a ConvNN checkpoint")
        } catch let ConvKitError.invalidArgument(_, message) {
            throw ConvKitError.invalidArgument(name: option, message: message)
        }
        func mismatch(_ what: String, _ file: String, _ now: String) -> ConvKitError {
            .invalidArgument(name: option, message: "'\(path)' was written by a run with \(what) \(file), this run has \(now); resume with the same settings")
        }
        guard header.format == "convnn-checkpoint", header.version == 1 else {
            throw ConvKitError.invalidArgument(
                name: option, message: "'\(path)' is format \(header.format) version \(header.version); expected convnn-checkpoint version 1")
        }
        do { try ModelFile.check(header.model, against: ModelFile.header(of: model), path: path) } catch let ConvKitError.invalidArgument(_, message) {
            throw ConvKitError.invalidArgument(name: option, message: message)
        }
        guard header.optimizer == identity(of: optimizer) else { throw mismatch("optimizer", header.optimizer, identity(of: optimizer)) }
        guard header.seed == run.seed else { throw mismatch("seed", "\(header.seed)", "\(run.seed)") }
        guard header.shuffle == run.shuffle.rawValue else { throw mismatch("shuffle", header.shuffle, run.shuffle.rawValue) }
        guard header.batchSize == run.batchSize else { throw mismatch("batch size", "\(header.batchSize)", "\(run.batchSize)") }
        guard header.examples == run.examples else { throw mismatch("training examples", "\(header.examples)", "\(run.examples)") }
        guard header.epochsDone <= epochs else {
            throw ConvKitError.invalidArgument(name: option, message: "'\(path)' has \(header.epochsDone) epochs done, more than the \(epochs) asked for")
        }
        let state = optimizer.stateTensors(for: model.parameters)
        guard header.optimizerTensors == state.map(\.name) else {
            throw mismatch("optimizer tensors", "\(header.optimizerTensors)", "\(state.map(\.name))")
        }
        let checkpointable = model.layers.compactMap { $0 as? any CheckpointableLayer }
        guard Set(header.layerStates.keys) == Set(checkpointable.map(\.name)) else {
            throw mismatch("layer states for", "\(header.layerStates.keys.sorted())", "\(checkpointable.map(\.name))")
        }
        let targets =
            model.weights.map { ($0.value, "\(ModelFile.layerName(of: $0, in: model))/\($0.name)") }
            + state.map { ($0.values, "optimizer/\($0.name)") }
        do { try TensorBytes.decode(body, checksum: header.checksum, into: targets, path: path) } catch let ConvKitError.invalidArgument(_, message) {
            throw ConvKitError.invalidArgument(name: option, message: message)
        }
        for layer in checkpointable { try layer.restore(checkpointState: header.layerStates[layer.name]!) }
        return (header.epochsDone, header.step, header.history)
    }
}

extension Adam: CheckpointableOptimizer {
    var checkpointIdentity: String { "Adam(learning_rate=\(learningRate), beta_1=\(beta1), beta_2=\(beta2), epsilon=\(epsilon))" }
    func stateTensors(for parameters: [Parameter]) -> [(name: String, values: UnsafeMutableBufferPointer<Float>)] {
        parameters.enumerated().flatMap { i, p in
            let (m, v) = moments(for: p)
            return [("m\(i)", m), ("v\(i)", v)]
        }
    }
}

extension SGD: CheckpointableOptimizer {
    var checkpointIdentity: String {
        "SGD(learning_rate=\(learningRate), momentum=\(momentum), weight_decay=\(weightDecay)" + (nesterov ? ", nesterov=True)" : ")")
    }
    func stateTensors(for parameters: [Parameter]) -> [(name: String, values: UnsafeMutableBufferPointer<Float>)] {
        guard momentum != 0 else { return [] }
        return parameters.enumerated().map { i, p in ("velocity\(i)", velocity(for: p)) }
    }
}

extension Adagrad: CheckpointableOptimizer {
    var checkpointIdentity: String {
        "Adagrad(learning_rate=\(learningRate), initial_accumulator_value=\(initialAccumulatorValue), epsilon=\(epsilon))"
    }
    func stateTensors(for parameters: [Parameter]) -> [(name: String, values: UnsafeMutableBufferPointer<Float>)] {
        parameters.enumerated().map { i, p in ("accumulator\(i)", accumulator(for: p)) }
    }
}

extension RMSprop: CheckpointableOptimizer {
    var checkpointIdentity: String {
        "RMSprop(learning_rate=\(learningRate), rho=\(rho), momentum=\(momentum), epsilon=\(epsilon), centered=\(centered))"
    }
    func stateTensors(for parameters: [Parameter]) -> [(name: String, values: UnsafeMutableBufferPointer<Float>)] {
        parameters.enumerated().flatMap { i, p in tensors(for: p).enumerated().map { j, t in ("rmsprop\(i)_\(j)", t) } }
    }
}

extension Nadam: CheckpointableOptimizer {
    var checkpointIdentity: String { "Nadam(learning_rate=\(learningRate), beta_1=\(beta1), beta_2=\(beta2), epsilon=\(epsilon))" }
    func stateTensors(for parameters: [Parameter]) -> [(name: String, values: UnsafeMutableBufferPointer<Float>)] {
        parameters.enumerated().flatMap { i, p in [("m\(i)", state.buffer(for: p, slot: 0)), ("v\(i)", state.buffer(for: p, slot: 1))] }
    }
}

extension AdamW: CheckpointableOptimizer {
    var checkpointIdentity: String {
        "AdamW(learning_rate=\(learningRate), weight_decay=\(weightDecay), beta_1=\(beta1), beta_2=\(beta2), epsilon=\(epsilon))"
    }
    func stateTensors(for parameters: [Parameter]) -> [(name: String, values: UnsafeMutableBufferPointer<Float>)] {
        adam.stateTensors(for: parameters)
    }
}
