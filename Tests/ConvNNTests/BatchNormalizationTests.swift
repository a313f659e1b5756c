import ConvKit
import ConvKitReference
import ConvNN
import Foundation
import Testing

@Suite("BatchNormalization")
struct BatchNormalizationTests {
    @Test("training forward and backward match the reference for whole batches cut into slices", arguments: [5, 40, 77])
    func matchesReference(batch: Int) throws {
        let shape = TensorShape(height: 3, width: 2, channels: 4)
        var g = SplitMix64(seed: UInt64(batch))
        let images = (0..<(batch * shape.count)).map { _ in Float.random(in: -2...3, using: &g) }
        let targets = (0..<(batch * shape.count)).map { _ in Float.random(in: -1...1, using: &g) }
        let data = try Dataset(shape: shape, images: images, targets: targets, targetWidth: shape.count)
        let model = try Sequential(input: shape, seed: 1) {
            Flatten()
            try BatchNormalization()
        }
        // Flatten makes one channel per feature: 24 channels over `batch` rows.
        let bn = model.layers[1] as! BatchNormalization
        for j in 0..<24 {
            bn.gamma!.value[j] = 0.5 + Float(j) / 10
            bn.beta!.value[j] = Float(j) / 7 - 1
        }
        let loss = try model.computeGradients(data, loss: .meanSquaredError)
        let c = 24, eps = 1e-3
        let (y, mean, variance) = ReferenceBatchNormalization.forward(images, channels: c, gamma: bn.gamma!.values, beta: bn.beta!.values, epsilon: eps)
        let n = Double(y.count)
        let expectedLoss = zip(y, targets).reduce(0.0) { $0 + ($1.0 - Double($1.1)) * ($1.0 - Double($1.1)) } / n
        #expect(abs(Double(loss) - expectedLoss) <= 1e-5 * expectedLoss)
        let dy = zip(y, targets).map { Float(2 * ($0 - Double($1)) / n) }
        let reference = ReferenceBatchNormalization.backward(images, outputGradient: dy, channels: c, gamma: bn.gamma!.values, epsilon: eps)
        for j in 0..<c {
            #expect(abs(Double(bn.gamma!.gradient[j]) - reference.dGamma[j]) <= 1e-5 + 1e-4 * abs(reference.dGamma[j]))
            #expect(abs(Double(bn.beta!.gradient[j]) - reference.dBeta[j]) <= 1e-5 + 1e-4 * abs(reference.dBeta[j]))
            // Moving averages after one training step: 0.99 * start + 0.01 * batch statistic.
            #expect(abs(Double(bn.movingMean!.value[j]) - 0.01 * mean[j]) <= 1e-6)
            #expect(abs(Double(bn.movingVariance!.value[j]) - (0.99 + 0.01 * variance[j])) <= 1e-5)
        }
    }

    @Test("after Conv2D and after Dense: gradients pass the finite-difference check (input gradient through the batch statistics)")
    func finiteDifferences() throws {
        let input = TensorShape(height: 5, width: 5, channels: 2)
        let data = try GradientCheck.data(input, count: 36, classes: 3, seed: 9)
        let model = try Sequential(input: input, seed: 3) {
            try Conv2D(filters: 4, kernelSize: 3)
            try BatchNormalization()
            ActivationLayer(.tanh)
            Flatten()
            try Dense(units: 5)
            try BatchNormalization(momentum: 0.9, epsilon: 1e-2)
            ActivationLayer(.sigmoid)
            try Dense(units: 3, activation: .softmax)
        }
        #expect(Sequential.sliceCount(batch: 36) == 2)
        try GradientCheck.check(model, data, loss: .sparseCategoricalCrossentropy(), "BatchNormalization")
    }

    @Test("inference uses the moving averages")
    func inference() throws {
        let shape = TensorShape(height: 1, width: 1, channels: 3)
        let model = try Sequential(input: shape) { try BatchNormalization(epsilon: 0.5) }
        let bn = model.layers[0] as! BatchNormalization
        _ = bn.movingMean!.value.update(from: [1, 2, 3])
        _ = bn.movingVariance!.value.update(from: [3.5, 0.5, 3.5])
        _ = bn.gamma!.value.update(from: [2, 1, 1])
        _ = bn.beta!.value.update(from: [0, 1, -1])
        let y = try model.predict([3, 2, 5])
        #expect(y == [2, 1, 0])
        #expect(model.summary().contains("Non-trainable params: 6"))
        #expect(throws: ConvKitError.self) { try BatchNormalization(momentum: 1.5) }
        #expect(throws: ConvKitError.self) { try BatchNormalization(epsilon: 0) }
    }
}
