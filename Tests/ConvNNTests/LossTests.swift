import ConvKit
import ConvNN
import Foundation
import Testing

@Suite("Losses: Keras' definitions, fused output activations, targets")
struct LossTests {
    static let input = TensorShape(features: 6)

    static func outputs(_ model: Sequential, _ data: Dataset) throws -> [Double] {
        try model.predict(data.images).map(Double.init)
    }

    @Test("categorical cross-entropy on a softmax output: one-hot and soft targets, integer labels; value and gradients")
    func categorical() throws {
        var g = SplitMix64(seed: 2)
        let n = 12, k = 4
        let images = (0..<(n * 6)).map { _ in Float.random(in: -1...1, using: &g) }
        var soft = [Float]()
        for _ in 0..<n {
            let row = (0..<k).map { _ in Float.random(in: 0.1...1, using: &g) }
            let s = row.reduce(0, +)
            soft += row.map { $0 / s }
        }
        let softData = try Dataset(shape: Self.input, images: images, targets: soft, targetWidth: k)
        let labels = (0..<n).map { Int32($0 % k) }
        let sparse = try Dataset(shape: Self.input, images: images, labels: labels)
        let oneHot = try Dataset(
            shape: Self.input, images: images, targets: labels.flatMap { l in (0..<k).map { $0 == Int(l) ? Float(1) : 0 } }, targetWidth: k)
        let model = try Sequential(input: Self.input, seed: 4) {
            try Dense(units: 5, activation: .tanh)
            try Dense(units: k, activation: .softmax)
        }
        let y = try Self.outputs(model, sparse)
        for (data, targets) in [(softData, soft.map(Double.init)), (oneHot, oneHot.targets!.map(Double.init))] {
            var expected = 0.0
            for i in 0..<(n * k) { expected -= targets[i] * log(y[i]) }
            expected /= Double(n)
            let value = try model.computeGradients(data, loss: .categoricalCrossentropy())
            #expect(abs(Double(value) - expected) <= 1e-5 * expected)
            try GradientCheck.check(model, data, loss: .categoricalCrossentropy(), "categorical")
        }
        let sparseValue = try model.computeGradients(sparse, loss: .sparseCategoricalCrossentropy())
        let oneHotValue = try model.computeGradients(oneHot, loss: .categoricalCrossentropy())
        #expect(abs(sparseValue - oneHotValue) <= 1e-6 * oneHotValue)
        // A sparse loss refuses target rows; target rows must match the outputs.
        #expect(throws: ConvKitError.self) { try model.computeGradients(oneHot, loss: .sparseCategoricalCrossentropy()) }
        let narrow = try Dataset(shape: Self.input, images: images, targets: [Float](repeating: 0.5, count: n * 2), targetWidth: 2)
        #expect(throws: ConvKitError.self) { try model.computeGradients(narrow, loss: .categoricalCrossentropy()) }
    }

    @Test("categorical cross-entropy from logits and on a non-softmax output (Keras' normalised, clipped formula)")
    func logitsAndProbabilities() throws {
        let data = try GradientCheck.data(Self.input, count: 10, classes: 3, seed: 5)
        let logits = try Sequential(input: Self.input, seed: 6) { try Dense(units: 3) }
        let z = try Self.outputs(logits, data)
        var expected = 0.0
        for r in 0..<10 {
            let row = z[(r * 3)..<(r * 3 + 3)]
            expected += log(row.reduce(0) { $0 + exp($1) }) - z[r * 3 + Int(data.labels[r])]
        }
        let value = try logits.computeGradients(data, loss: .categoricalCrossentropy(fromLogits: true))
        #expect(abs(Double(value) - expected / 10) <= 1e-5)
        try GradientCheck.check(logits, data, loss: .categoricalCrossentropy(fromLogits: true), "logits")
        // Softplus outputs are positive, not normalised: Keras divides by the row sum.
        let positive = try Sequential(input: Self.input, seed: 7) { try Dense(units: 3, activation: .softplus) }
        let y = try Self.outputs(positive, data)
        var normalised = 0.0
        for r in 0..<10 { normalised -= log(y[r * 3 + Int(data.labels[r])] / (y[r * 3] + y[r * 3 + 1] + y[r * 3 + 2])) }
        #expect(abs(Double(try positive.computeGradients(data, loss: .categoricalCrossentropy())) - normalised / 10) <= 1e-5)
        try GradientCheck.check(positive, data, loss: .categoricalCrossentropy(), "probabilities")
    }

    @Test("binary cross-entropy (sigmoid output fused, or logits) and mean squared error, with labels or target rows")
    func binaryAndMSE() throws {
        var g = SplitMix64(seed: 8)
        let n = 16
        let images = (0..<(n * 6)).map { _ in Float.random(in: -1...1, using: &g) }
        let labels = (0..<n).map { Int32($0 % 2) }
        let single = try Dataset(shape: Self.input, images: images, labels: labels)
        let sigmoid = try Sequential(input: Self.input, seed: 9) {
            try Dense(units: 4, activation: .tanh)
            try Dense(units: 1, activation: .sigmoid)
        }
        let p = try Self.outputs(sigmoid, single)
        var bce = 0.0
        for r in 0..<n { bce -= labels[r] == 1 ? log(p[r]) : log(1 - p[r]) }
        #expect(abs(Double(try sigmoid.computeGradients(single, loss: .binaryCrossentropy())) - bce / Double(n)) <= 1e-5)
        try GradientCheck.check(sigmoid, single, loss: .binaryCrossentropy(), "binary, sigmoid")
        try GradientCheck.check(sigmoid, single, loss: .meanSquaredError, "mse, sigmoid")
        let mse = (0..<n).reduce(0.0) { $0 + (p[$1] - Double(labels[$1])) * (p[$1] - Double(labels[$1])) } / Double(n)
        #expect(abs(Double(try sigmoid.computeGradients(single, loss: .meanSquaredError)) - mse) <= 1e-6)
        // Several binary targets per example, from logits: mean over the outputs, then the batch.
        let targets = (0..<(n * 3)).map { _ in Float.random(in: 0...1, using: &g) }
        let multi = try Dataset(shape: Self.input, images: images, targets: targets, targetWidth: 3)
        let logits = try Sequential(input: Self.input, seed: 10) { try Dense(units: 3) }
        let z = try Self.outputs(logits, multi)
        var expected = 0.0
        for i in 0..<(n * 3) {
            let t = Double(targets[i])
            expected += max(z[i], 0) - z[i] * t + log1p(exp(-abs(z[i])))
        }
        #expect(abs(Double(try logits.computeGradients(multi, loss: .binaryCrossentropy(fromLogits: true))) - expected / Double(n * 3)) <= 1e-5)
        try GradientCheck.check(logits, multi, loss: .binaryCrossentropy(fromLogits: true), "binary, logits")
        // Labels must be 0 or 1 for one output; binary targets within 0...1.
        let two = try Dataset(shape: Self.input, images: Array(images[0..<6]), labels: [2])
        #expect(throws: ConvKitError.self) { try sigmoid.computeGradients(two, loss: .binaryCrossentropy()) }
        let outside = try Dataset(shape: Self.input, images: Array(images[0..<6]), targets: [1.5, 0, 0], targetWidth: 3)
        #expect(throws: ConvKitError.self) { try logits.computeGradients(outside, loss: .binaryCrossentropy()) }
    }

    @Test("a saturated softmax output keeps finite loss and exact gradients under the fused loss")
    func saturation() throws {
        let model = try Sequential(input: TensorShape(features: 1), seed: 1) { try Dense(units: 2, activation: .softmax) }
        let dense = model.layers[0] as! Dense
        _ = dense.kernel!.value.update(from: [200, -200])
        let data = try Dataset(shape: TensorShape(features: 1), images: [1], labels: [1])
        let value = try model.computeGradients(data, loss: .categoricalCrossentropy())
        #expect(value.isFinite && value > 80)
        #expect(dense.kernel!.gradient.allSatisfy { $0.isFinite })
        #expect(dense.kernel!.gradient[0] == 1 && dense.kernel!.gradient[1] == -1)
    }

    @Test("accuracy follows Keras' metric for the loss: binary outputs thresholded at 0.5")
    func binaryAccuracy() throws {
        let model = try Sequential(input: TensorShape(features: 1), seed: 1) { try Dense(units: 1, activation: .sigmoid) }
        let dense = model.layers[0] as! Dense
        _ = dense.kernel!.value.update(from: [1])
        let data = try Dataset(shape: TensorShape(features: 1), images: [-3, -1, 1, 3], labels: [0, 1, 1, 1])
        #expect(try model.evaluate(data, loss: .binaryCrossentropy()).accuracy == 0.75)
    }
}
