import ConvKit
import ConvKitReference
import ConvNN
import Foundation
import Testing

/// A tiny model and the same network written in Double with the reference loops.
struct TinyNetwork {
    let model: Sequential
    static let input = TensorShape(height: 6, width: 6, channels: 2)

    /// `count` random images (pixels in [0, 1]) with labels 0-2, from a generator seeded with `seed`.
    static func randomData(count: Int, seed: UInt64) throws -> Dataset {
        var g = SplitMix64(seed: seed)
        let images = (0..<(count * input.count)).map { _ in Float.random(in: 0...1, using: &g) }
        let labels = (0..<count).map { _ in Int32.random(in: 0..<3, using: &g) }
        return try Dataset(shape: input, images: images, labels: labels)
    }

    init(seed: UInt64, threads: Int = 2) throws {
        model = try Sequential(input: TinyNetwork.input, seed: seed, context: ExecutionContext(threads: threads)) {
            try Conv2D(filters: 3, kernelSize: 3, activation: .relu)
            try MaxPool2D(poolSize: 2)
            Flatten()
            try Dense(units: 4, activation: .relu)
            try Dense(units: 3)
        }
    }

    /// The mean softmax cross-entropy of the network with parameters `p` (in model order), in Double.
    static func loss(_ p: [[Double]], images: [Double], labels: [Int32], batch: Int) -> Double {
        let conv = ReferenceConvolutionProblem(
            batch: batch, inputHeight: 6, inputWidth: 6, inputChannels: 2, outputChannels: 3,
            kernelHeight: 3, kernelWidth: 3, strideY: 1, strideX: 1, dilationY: 1, dilationX: 1,
            padTop: 0, padLeft: 0, outputHeight: 4, outputWidth: 4, groups: 1, channelsFirst: false)
        var a = ReferenceConvolution.forwardInDouble(conv, input: images, weights: p[0])
        for i in 0..<a.count { a[i] = max(0, a[i] + p[1][i % 3]) }
        var pooled = [Double](repeating: 0, count: batch * 12)  // 2x2 max -> 2 x 2 x 3
        for n in 0..<batch {
            for y in 0..<2 {
                for x in 0..<2 {
                    for c in 0..<3 {
                        var m = -Double.infinity
                        for dy in 0..<2 { for dx in 0..<2 { m = max(m, a[((n * 4 + 2 * y + dy) * 4 + 2 * x + dx) * 3 + c]) } }
                        pooled[((n * 2 + y) * 2 + x) * 3 + c] = m
                    }
                }
            }
        }
        func dense(_ x: [Double], _ inputs: Int, _ units: Int, _ w: [Double], _ b: [Double], relu: Bool) -> [Double] {
            var out = [Double](repeating: 0, count: batch * units)
            for n in 0..<batch {
                for u in 0..<units {
                    var s = b[u]
                    for i in 0..<inputs { s += x[n * inputs + i] * w[i * units + u] }
                    out[n * units + u] = relu ? max(0, s) : s
                }
            }
            return out
        }
        let hidden = dense(pooled, 12, 4, p[2], p[3], relu: true)
        let logits = dense(hidden, 4, 3, p[4], p[5], relu: false)
        var total = 0.0
        for n in 0..<batch {
            let z = logits[(n * 3)..<(n * 3 + 3)]
            let m = z.max()!
            let lse = m + log(z.reduce(0) { $0 + exp($1 - m) })
            total += lse - z[n * 3 + Int(labels[n])]
        }
        return total / Double(batch)
    }
}

@Suite("Sequential")
struct SequentialTests {
    @Test("the whole model's gradients match finite differences of a Double reference network")
    func wholeModelGradients() throws {
        let net = try TinyNetwork(seed: 3)
        let batch = 33  // two slices (16 + 17) run concurrently; their gradients are summed
        #expect(Sequential.sliceCount(batch: batch) == 2)
        var g = SplitMix64(seed: 9)
        let images = (0..<(batch * 72)).map { _ in Float.random(in: -1...1, using: &g) }
        let labels: [Int32] = (0..<batch).map { Int32($0 % 3) }
        // Make the biases non-zero so ReLUs are not all at their kinks.
        for p in net.model.parameters where p.name == "bias" { for i in 0..<p.count { p.value[i] = Float.random(in: -0.1...0.1, using: &g) } }
        let loss = try net.model.computeGradients(images: images, labels: labels)
        let values = net.model.parameters.map { $0.values.map(Double.init) }
        let x = images.map(Double.init)
        let reference = TinyNetwork.loss(values, images: x, labels: labels, batch: batch)
        #expect(abs(Double(loss) - reference) < 1e-5, "loss \(loss) vs \(reference)")
        let h = 1e-6
        for (k, p) in net.model.parameters.enumerated() {
            for i in 0..<p.count {
                var plus = values, minus = values
                plus[k][i] += h
                minus[k][i] -= h
                let fd =
                    (TinyNetwork.loss(plus, images: x, labels: labels, batch: batch)
                        - TinyNetwork.loss(minus, images: x, labels: labels, batch: batch)) / (2 * h)
                #expect(abs(fd - Double(p.gradient[i])) <= 1e-4 + 1e-3 * abs(fd), "\(p.name) #\(k) [\(i)]: \(p.gradient[i]) vs \(fd)")
            }
        }
    }

    @Test("the Keras tutorial CNN has 122,570 parameters and a Keras-like summary")
    func tutorialSummary() throws {
        let model = try KerasTutorialCNN.make()
        #expect(model.parameterCount == 122_570)
        let summary = model.summary()
        #expect(summary.contains("Total params: 122,570"))
        #expect(summary.contains("(None, 30, 30, 32)") && summary.contains("(None, 4, 4, 64)") && summary.contains("(None, 10)"))
    }

    @Test("training is bitwise reproducible for 1 and 2 threads, and allocation-free plans are reused")
    func reproducibleAcrossThreads() throws {
        let data = try TinyNetwork.randomData(count: 80, seed: 4)
        var results: [[UInt32]] = []
        for threads in [1, 2] {
            let net = try TinyNetwork(seed: 5, threads: threads)
            try net.model.fit(data, epochs: 2, batchSize: 48, optimizer: Adam(), seed: 6)  // slices of 16, and a last batch of 32
            results.append(net.model.parameters.flatMap { $0.values.map(\.bitPattern) })
        }
        #expect(results[0] == results[1])
    }

    @Test("SGD with momentum and weight decay, and mean squared error, reduce the loss")
    func sgdAndMSE() throws {
        var g = SplitMix64(seed: 7)
        let n = 48
        let labels = (0..<n).map { _ in Int32.random(in: 0..<3, using: &g) }
        // Separable data: the label shifts the mean of channel 0.
        let images = (0..<n).flatMap { i in (0..<72).map { j in Float(j % 2 == 0 ? Int(labels[i]) : 0) + Float.random(in: -0.3...0.3, using: &g) } }
        let data = try Dataset(shape: TinyNetwork.input, images: images, labels: labels)
        for loss in [Loss.softmaxCrossEntropy, .meanSquaredError, .sparseCategoricalCrossentropy(fromLogits: true), .categoricalCrossentropy(fromLogits: true)]
        {
            let net = try TinyNetwork(seed: 8)
            let before = try net.model.evaluate(data, loss: loss).loss
            let history = try net.model.fit(
                data, epochs: 15, batchSize: 8,
                optimizer: SGD(learningRate: 0.05, momentum: 0.9, weightDecay: 1e-4), loss: loss, seed: 1)
            #expect(history.last!.loss < before * 0.7, "\(loss): \(before) -> \(history.last!.loss)")
        }
    }

    @Test("data that does not fit the model throws")
    func badData() throws {
        let net = try TinyNetwork(seed: 1)
        #expect(throws: ConvKitError.self) { try Dataset(shape: TinyNetwork.input, images: [1, 2, 3], labels: [0]) }
        let data = try Dataset(shape: TinyNetwork.input, images: [Float](repeating: 0, count: 72), labels: [5])
        #expect(throws: ConvKitError.self) { try net.model.fit(data, epochs: 1, batchSize: 1, optimizer: Adam()) }
        let wrongShape = try Dataset(shape: TensorShape(height: 5, width: 5, channels: 2), images: [Float](repeating: 0, count: 50), labels: [0])
        #expect(throws: ConvKitError.self) { try net.model.evaluate(wrongShape) }
        #expect(throws: ConvKitError.self) {
            try Sequential(input: TensorShape(height: 6, width: 6, channels: 2)) { try Dense(units: 3) }
        }
    }
}
