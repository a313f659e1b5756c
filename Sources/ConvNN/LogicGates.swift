import ConvKit

/// The course's logic gates: a small sigmoid network (2 inputs, one hidden layer, one sigmoid
/// output) learning XOR, AND or OR from their four patterns with plain SGD, full batch.
public struct LogicGates: Sendable {
    public enum Gate: String, Sendable, CaseIterable {
        case xor, and, or
        /// The four patterns (a, b) and the gate's output.
        public var truthTable: [(a: Float, b: Float, output: Int32)] {
            let patterns: [(Float, Float)] = [(0, 0), (0, 1), (1, 0), (1, 1)]
            return patterns.map { a, b in
                let (x, y) = (a == 1, b == 1)
                let out: Bool
                switch self {
                case .xor: out = x != y
                case .and: out = x && y
                case .or: out = x || y
                }
                return (a, b, out ? 1 : 0)
            }
        }
        public var dataset: Dataset {
            let table = truthTable
            return try! Dataset(shape: TensorShape(features: 2), images: table.flatMap { [$0.a, $0.b] }, labels: table.map(\.output))
        }
    }

    /// One trained gate.
    public struct Result {
        public let gate: Gate
        public let model: Sequential
        /// The network's output for each pattern, in truth-table order.
        public let outputs: [Float]
        /// The first epoch after which all four patterns were right (output on the right side of 0.5), nil if never.
        public let epochsToAllCorrect: Int?
        public let finalLoss: Double
    }

    public var hidden: Int
    public var learningRate: Float
    public var epochs: Int
    public var loss: Loss
    public var seed: UInt64

    /// - Throws: ``ConvKit/ConvKitError`` for no hidden units, a non-positive rate, no epochs or a
    ///   loss other than binary cross-entropy (on probabilities) or mean squared error.
    public init(hidden: Int = 4, learningRate: Float = 1, epochs: Int = 2000, loss: Loss = .binaryCrossentropy(), seed: UInt64 = 1) throws {
        guard hidden >= 1 else { throw ConvKitError.invalidArgument(name: "hidden", message: "must be at least 1, got \(hidden)") }
        guard learningRate > 0 && learningRate.isFinite else {
            throw ConvKitError.invalidArgument(name: "learningRate", message: "must be finite and > 0, got \(learningRate)")
        }
        guard epochs >= 1 else { throw ConvKitError.invalidArgument(name: "epochs", message: "must be at least 1, got \(epochs)") }
        guard loss == .binaryCrossentropy() || loss == .meanSquaredError else {
            throw ConvKitError.invalidArgument(name: "loss", message: "must be binary cross-entropy or mean squared error, got \(loss)")
        }
        self.hidden = hidden
        self.learningRate = learningRate
        self.epochs = epochs
        self.loss = loss
        self.seed = seed
    }

    /// Trains a fresh network on `gate`.
    public func train(_ gate: Gate, context: ExecutionContext? = nil) throws -> Result {
        let model = try Sequential(input: TensorShape(features: 2), seed: seed, context: context) {
            try Dense(units: hidden, activation: .sigmoid)
            try Dense(units: 1, activation: .sigmoid)
        }
        let data = gate.dataset
        var firstAllCorrect: Int?
        let watcher = EpochCallback { record, model in
            if firstAllCorrect == nil, try model.evaluate(data, loss: loss).accuracy == 1 { firstAllCorrect = record.epoch }
            return .proceed
        }
        let history = try model.fit(
            data, epochs: epochs, batchSize: 4, optimizer: SGD(learningRate: .constant(learningRate)), loss: loss, seed: seed,
            callbacks: [watcher])
        return Result(
            gate: gate, model: model, outputs: try model.predict(data.images), epochsToAllCorrect: firstAllCorrect,
            finalLoss: history.last?.loss ?? .nan)
    }
}
