import ConvKit
import ConvNN
import Testing

@Suite("Training")
struct TrainingTests {
    /// 40 random images of the tiny network, permuted as `fit` permutes them first for `seed`
    /// (Array.shuffle with SplitMix64, as documented) when a seed is given.
    static func data(permutedFor seed: UInt64? = nil) throws -> Dataset {
        let data = try TinyNetwork.randomData(count: 40, seed: 11)
        guard let seed else { return data }
        let per = TinyNetwork.input.count
        var order = Array(0..<data.count)
        var generator = SplitMix64(seed: seed)
        order.shuffle(using: &generator)
        return try Dataset(
            shape: TinyNetwork.input, images: order.flatMap { data.images[($0 * per)..<(($0 + 1) * per)] },
            labels: order.map { data.labels[$0] })
    }

    /// The parameters' bits after training a fresh tiny network.
    static func train(_ data: Dataset, epochs: Int, seed: UInt64, shuffle: ShuffleMode) throws -> [UInt32] {
        let net = try TinyNetwork(seed: 3)
        try net.model.fit(data, epochs: epochs, batchSize: 16, optimizer: Adam(), seed: seed, shuffle: shuffle)
        return net.model.parameters.flatMap { $0.values.map(\.bitPattern) }
    }

    @Test("shuffle modes: a new permutation every epoch, one permutation repeated (Keras on TensorFlow after set_random_seed), the data's order")
    func shuffleModes() throws {
        let data = try Self.data(), permuted = try Self.data(permutedFor: 9)
        // .none visits the data in its own order: the seed does not matter, the order does.
        let unshuffled = try Self.train(data, epochs: 2, seed: 1, shuffle: .none)
        #expect(unshuffled == (try Self.train(data, epochs: 2, seed: 2, shuffle: .none)))
        #expect(unshuffled != (try Self.train(permuted, epochs: 2, seed: 1, shuffle: .none)))
        // .once repeats the first permutation in every epoch.
        #expect(try Self.train(data, epochs: 3, seed: 9, shuffle: .once) == Self.train(permuted, epochs: 3, seed: 1, shuffle: .none))
        // .everyEpoch starts with the same permutation, then draws new ones.
        #expect(try Self.train(data, epochs: 1, seed: 9, shuffle: .everyEpoch) == Self.train(permuted, epochs: 1, seed: 1, shuffle: .none))
        #expect(try Self.train(data, epochs: 2, seed: 9, shuffle: .everyEpoch) != Self.train(permuted, epochs: 2, seed: 1, shuffle: .none))
    }
}
