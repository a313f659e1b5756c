import ConvKit
import ConvNN
import Foundation
import Synchronization
import Testing

@Suite("Data-parallel training: bitwise one process's run for any process count")
struct DataParallelTests {
    static let input = TensorShape(height: 6, width: 6, channels: 2)

    static func model(seed: UInt64 = 3) throws -> Sequential {
        try Sequential(input: input, seed: seed, context: ExecutionContext(threads: 1)) {
            try Conv2D(filters: 4, kernelSize: 3, activation: .relu, kernelRegularizer: .l2(1e-3))
            try MaxPool2D(poolSize: 2)
            Flatten()
            try Dense(units: 8, activation: .tanh)
            try Dropout(rate: 0.3, seed: 5)
            try Dense(units: 3, activation: .softmax)
        }
    }

    static func bits(_ m: Sequential) -> [UInt32] { m.weights.flatMap { $0.values.map(\.bitPattern) } }

    /// Weights after data-parallel training on `processes` threads, per rank.
    static func parallelRun(_ processes: Int, _ data: Dataset, batchSize: Int, seed: UInt64 = 9) throws -> [[UInt32]] {
        let group = try ThreadProcessGroup(size: processes)
        let results = Mutex([[UInt32]](repeating: [], count: processes))
        try group.run { member in
            // A different initial seed on the other ranks: rank 0's weights are broadcast.
            let m = try Self.model(seed: member.rank == 0 ? 3 : 77)
            try DataParallel.fit(
                m, data, epochs: 2, batchSize: batchSize, optimizer: Adam(learningRate: 0.01, globalClipNorm: 5),
                loss: .categoricalCrossentropy(), seed: seed, group: member)
            let b = Self.bits(m)
            results.withLock { $0[member.rank] = b }
        }
        return results.withLock { $0 }
    }

    @Test("1, 2, 3 and 4 processes give the weights of one process, with dropout, a regularizer and clipping", arguments: [48, 100])
    func bitwise(batchSize: Int) throws {
        let data = try GradientCheck.data(Self.input, count: 130, classes: 3, seed: 4)
        let single = try Self.model()
        try single.fit(
            data, epochs: 2, batchSize: batchSize, optimizer: Adam(learningRate: 0.01, globalClipNorm: 5), loss: .categoricalCrossentropy(),
            seed: 9)
        let reference = Self.bits(single)
        for processes in [1, 2, 3, 4] {
            let ranks = try Self.parallelRun(processes, data, batchSize: batchSize)
            for (rank, bits) in ranks.enumerated() {
                #expect(bits == reference, "\(processes) processes, rank \(rank), batch \(batchSize)")
            }
        }
        #expect(DataParallel.slices(count: 6, rank: 1, size: 4) == 1..<3 && DataParallel.slices(count: 2, rank: 0, size: 4).isEmpty)
    }

    @Test("a process that throws ends the run with an error naming its rank; the others do not wait forever")
    func failingRank() throws {
        let data = try GradientCheck.data(Self.input, count: 40, classes: 3, seed: 4)
        let bad = try GradientCheck.data(TensorShape(height: 5, width: 5, channels: 2), count: 40, classes: 3, seed: 4)
        let group = try ThreadProcessGroup(size: 3)
        do {
            try group.run { member in
                try DataParallel.fit(
                    Self.model(), member.rank == 1 ? bad : data, epochs: 2, batchSize: 16, optimizer: SGD(), seed: 1, group: member)
            }
            Issue.record("the run did not fail")
        } catch let error as ProcessGroupError {
            #expect("\(error)".hasPrefix("rank 1: "), "\(error)")
        }
        let withBN = try Sequential(input: Self.input) {
            Flatten()
            try BatchNormalization()
        }
        #expect(throws: ConvKitError.self) {
            try DataParallel.fit(
                withBN, data, epochs: 1, batchSize: 8, optimizer: SGD(), loss: .meanSquaredError, group: try ThreadProcessGroup(size: 1).member(0))
        }
    }
}
