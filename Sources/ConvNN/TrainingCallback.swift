import ConvKit

/// What training does after an epoch.
public enum TrainingDecision: Sendable {
    case proceed
    /// End training after this epoch (Keras' `model.stop_training = True`).
    case stop
}

/// Code run by ``Sequential/fit(_:epochs:batchSize:optimizer:loss:validation:validationSplit:seed:shuffle:checkpoint:resume:callbacks:onBatch:onEpoch:)``
/// around training (Keras' `Callback`): log, save, or stop.
public protocol TrainingCallback: AnyObject {
    /// Before the first epoch of a `fit` call.
    func trainingBegan(model: Sequential) throws
    /// After every epoch (its record includes the validation results); `.stop` ends training.
    func epochEnded(_ record: EpochRecord, model: Sequential) throws -> TrainingDecision
    /// After the last epoch, whether it stopped early or not.
    func trainingEnded(model: Sequential) throws
}

extension TrainingCallback {
    public func trainingBegan(model: Sequential) throws {}
    public func trainingEnded(model: Sequential) throws {}
}

/// Runs a closure after every epoch (Keras' `LambdaCallback(on_epoch_end=...)`).
public final class EpochCallback: TrainingCallback {
    let body: (EpochRecord, Sequential) throws -> TrainingDecision
    public init(_ body: @escaping (EpochRecord, Sequential) throws -> TrainingDecision) { self.body = body }
    public func epochEnded(_ record: EpochRecord, model: Sequential) throws -> TrainingDecision { try body(record, model) }
}

/// Keras' `EarlyStopping`: stops when the monitored value has not improved by more than
/// `minDelta` for `patience` epochs, and with `restoreBestWeights` puts back the weights
/// (trainable and moving averages) of the best epoch when training ends, as Keras 3 does.
///
/// Keras: `EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)`; ConvNN:
/// `EarlyStopping(monitor: .validationLoss, patience: 3, restoreBestWeights: true)`.
public final class EarlyStopping: TrainingCallback {
    /// The value watched, by Keras' log name.
    public enum Monitor: String, Sendable, CaseIterable {
        case loss, accuracy
        case validationLoss = "val_loss"
        case validationAccuracy = "val_accuracy"
        /// Losses improve downwards, accuracies upwards (Keras' `mode="auto"`).
        var improvesUpwards: Bool { self == .accuracy || self == .validationAccuracy }
        func value(of r: EpochRecord) -> Double? {
            switch self {
            case .loss: r.loss
            case .accuracy: r.accuracy
            case .validationLoss: r.validationLoss
            case .validationAccuracy: r.validationAccuracy
            }
        }
    }

    public let monitor: Monitor
    public let minDelta: Double
    public let patience: Int
    public let restoreBestWeights: Bool
    public let startFromEpoch: Int
    /// The best value seen, its 1-based epoch, and the epoch training stopped at (0 if it did not).
    public private(set) var best: Double = .nan
    public private(set) var bestEpoch = 0
    public private(set) var stoppedEpoch = 0
    private var wait = 0
    private var bestWeights: [[Float]]?

    /// - Throws: ``ConvKit/ConvKitError`` for a negative patience, delta or start epoch.
    public init(
        monitor: Monitor = .validationLoss, minDelta: Double = 0, patience: Int = 0, restoreBestWeights: Bool = false,
        startFromEpoch: Int = 0
    ) throws {
        guard patience >= 0 else { throw ConvKitError.invalidArgument(name: "patience", message: "must be >= 0, got \(patience)") }
        guard minDelta >= 0 && minDelta.isFinite else {
            throw ConvKitError.invalidArgument(name: "minDelta", message: "must be finite and >= 0, got \(minDelta)")
        }
        guard startFromEpoch >= 0 else { throw ConvKitError.invalidArgument(name: "startFromEpoch", message: "must be >= 0, got \(startFromEpoch)") }
        self.monitor = monitor
        self.minDelta = minDelta
        self.patience = patience
        self.restoreBestWeights = restoreBestWeights
        self.startFromEpoch = startFromEpoch
    }

    public func trainingBegan(model: Sequential) throws {
        wait = 0
        stoppedEpoch = 0
        bestWeights = nil
        bestEpoch = 0
        best = monitor.improvesUpwards ? -.infinity : .infinity
    }

    private func isImprovement(_ value: Double) -> Bool {
        monitor.improvesUpwards ? value - minDelta > best : value + minDelta < best
    }

    public func epochEnded(_ record: EpochRecord, model: Sequential) throws -> TrainingDecision {
        // Keras counts epochs from 0.
        let epoch = record.epoch - 1
        guard let current = monitor.value(of: record) else {
            throw ConvKitError.invalidArgument(
                name: "monitor", message: "\(monitor.rawValue) is not available: pass validation data or validationSplit to fit")
        }
        if epoch < startFromEpoch { return .proceed }
        if restoreBestWeights && bestWeights == nil {
            bestWeights = model.weights.map(\.values)
            bestEpoch = record.epoch
        }
        wait += 1
        if isImprovement(current) {
            best = current
            bestEpoch = record.epoch
            if restoreBestWeights { bestWeights = model.weights.map(\.values) }
            wait = 0
            return .proceed
        }
        if wait >= patience && epoch > 0 {
            stoppedEpoch = record.epoch
            return .stop
        }
        return .proceed
    }

    public func trainingEnded(model: Sequential) throws {
        guard restoreBestWeights, let bestWeights else { return }
        for (p, w) in zip(model.weights, bestWeights) { _ = p.value.update(from: w) }
    }
}
