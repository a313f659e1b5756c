import ConvKit
import Dispatch
import Foundation

/// The course's grid searches on the 8x8 digits: every (learning rate η, L2 strength λ) pair
/// trains a fresh network with plain SGD and categorical cross-entropy, from the same seeded
/// weights, and reports its training and test accuracy.
public struct DigitsGridSearch: Sendable {
    /// The two networks of the course notes.
    public enum Network: String, Sendable, CaseIterable {
        /// 64 -> Dense(50, sigmoid, L2 λ) -> Dense(10, softmax, L2 λ).
        case dense
        /// Conv2D(10, 3x3, ReLU, L2 λ) -> MaxPool 2x2 -> Flatten -> Dense(50, ReLU, L2 λ) -> Dense(10, softmax, L2 λ).
        case cnn

        /// The network for `lambda`, its weights drawn from `seed`.
        public func model(lambda: Float, seed: UInt64, context: ExecutionContext) throws -> Sequential {
            let l2 = Regularizer.l2(lambda)
            switch self {
            case .dense:
                return try Sequential(input: Digits.shape, seed: seed, context: context) {
                    Flatten()
                    try Dense(units: 50, activation: .sigmoid, kernelRegularizer: l2)
                    try Dense(units: 10, activation: .softmax, kernelRegularizer: l2)
                }
            case .cnn:
                return try Sequential(input: Digits.shape, seed: seed, context: context) {
                    try Conv2D(filters: 10, kernelSize: 3, activation: .relu, kernelRegularizer: l2)
                    try MaxPool2D(poolSize: 2)
                    Flatten()
                    try Dense(units: 50, activation: .relu, kernelRegularizer: l2)
                    try Dense(units: 10, activation: .softmax, kernelRegularizer: l2)
                }
            }
        }
    }

    /// How the threads are used: several cells at once, each on one thread, or one cell at a
    /// time with its batch's slices across the threads. Results are bitwise the same either way.
    public enum Parallelism: String, Sendable, CaseIterable {
        case cells, batch
    }

    /// One trained cell.
    public struct Cell: Sendable, Codable, Equatable {
        public var learningRate: Float, lambda: Float
        public var trainingAccuracy: Double, testAccuracy: Double
        public var seconds: Double
        public init(learningRate: Float, lambda: Float, trainingAccuracy: Double, testAccuracy: Double, seconds: Double) {
            self.learningRate = learningRate
            self.lambda = lambda
            self.trainingAccuracy = trainingAccuracy
            self.testAccuracy = testAccuracy
            self.seconds = seconds
        }
    }

    public var network: Network
    public var learningRates: [Float]
    public var lambdas: [Float]
    public var epochs: Int
    public var batchSize: Int
    public var seed: UInt64

    /// The course's grid: η and λ in 1e-5, 1e-4, ..., 1e1; 100 epochs at batch 100.
    public static let courseValues: [Float] = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10]

    public init(
        network: Network, learningRates: [Float] = courseValues, lambdas: [Float] = courseValues, epochs: Int = 100,
        batchSize: Int = 100, seed: UInt64 = 1
    ) throws {
        guard !learningRates.isEmpty, !lambdas.isEmpty else {
            throw ConvKitError.invalidArgument(name: "grid", message: "needs at least one learning rate and one lambda")
        }
        for eta in learningRates where !(eta > 0 && eta.isFinite) {
            throw ConvKitError.invalidArgument(name: "learningRates", message: "must be finite and > 0, got \(eta)")
        }
        for l in lambdas where !(l >= 0 && l.isFinite) {
            throw ConvKitError.invalidArgument(name: "lambdas", message: "must be finite and >= 0, got \(l)")
        }
        guard epochs >= 1 else { throw ConvKitError.invalidArgument(name: "epochs", message: "must be at least 1, got \(epochs)") }
        guard batchSize >= 1 else { throw ConvKitError.invalidArgument(name: "batchSize", message: "must be at least 1, got \(batchSize)") }
        self.network = network
        self.learningRates = learningRates
        self.lambdas = lambdas
        self.epochs = epochs
        self.batchSize = batchSize
        self.seed = seed
    }

    /// Trains one cell.
    public func train(learningRate: Float, lambda: Float, training: Dataset, test: Dataset, context: ExecutionContext) throws -> Cell {
        let start = DispatchTime.now().uptimeNanoseconds
        let model = try network.model(lambda: lambda, seed: seed, context: context)
        let loss = Loss.categoricalCrossentropy()
        try model.fit(training, epochs: epochs, batchSize: batchSize, optimizer: SGD(learningRate: .constant(learningRate)), loss: loss, seed: seed)
        let trainingAccuracy = try model.evaluate(training, loss: loss).accuracy
        let testAccuracy = try model.evaluate(test, loss: loss).accuracy
        return Cell(
            learningRate: learningRate, lambda: lambda, trainingAccuracy: trainingAccuracy, testAccuracy: testAccuracy,
            seconds: Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
    }

    /// Trains every cell (row-major: λ outer, η inner) on `threads` threads; `onCell` is called
    /// as each finishes (from the thread that trained it, one call at a time).
    public func run(
        training: Dataset, test: Dataset, threads: Int, parallelism: Parallelism = .cells, isa: ISA? = nil,
        onCell: ((Cell, Int) -> Void)? = nil
    ) throws -> [Cell] {
        let pairs = lambdas.flatMap { l in learningRates.map { (eta: $0, lambda: l) } }
        var results = [Cell?](repeating: nil, count: pairs.count)
        let lock = NSLock(), failure = FirstError()
        var done = 0
        func one(_ i: Int, _ context: ExecutionContext) {
            do {
                let cell = try train(learningRate: pairs[i].eta, lambda: pairs[i].lambda, training: training, test: test, context: context)
                lock.lock()
                results[i] = cell
                done += 1
                onCell?(cell, done)
                lock.unlock()
            } catch { failure.record(error) }
        }
        let environment = try ExecutionContext.fromEnvironment()
        switch parallelism {
        case .cells:
            let single = try ExecutionContext(threads: 1, isa: isa ?? environment.isa)
            Parallel.forEach(pairs.count, threads: threads) { i in one(i, single) }
        case .batch:
            let context = try ExecutionContext(threads: threads, isa: isa ?? environment.isa)
            for i in pairs.indices { one(i, context) }
        }
        if let error = failure.error { throw error }
        return results.map { $0! }
    }
}
