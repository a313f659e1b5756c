import ConvKit
import ConvKitReference
import Testing

@Suite("Elementwise")
struct ElementwiseTests {
    @Test("ReLU forward (in place too, NaN kept) and backward")
    func relu() throws {
        var x: [Float] = [-2, -0.0, 0, 1.5, .nan, 3]
        x += convolutionData(count: 200_000, integers: false, seed: 1)
        var y = [Float](repeating: 7, count: x.count)
        try x.withUnsafeBufferPointer { xb in try y.withUnsafeMutableBufferPointer { try ReLUKernel.forward(xb, into: $0) } }
        for i in 0..<x.count {
            if x[i].isNaN { #expect(y[i].isNaN) } else { #expect(y[i] == max(x[i], 0)) }
        }
        var inPlace = x
        try inPlace.withUnsafeMutableBufferPointer { b in try ReLUKernel.forward(UnsafeBufferPointer(b), into: b) }
        #expect(inPlace.map(\.bitPattern) == y.map(\.bitPattern))
        let dy = convolutionData(count: x.count, integers: false, seed: 2)
        var dx = [Float](repeating: 0, count: x.count)
        try y.withUnsafeBufferPointer { yb in
            try dy.withUnsafeBufferPointer { g in
                try dx.withUnsafeMutableBufferPointer { try ReLUKernel.backward(output: yb, outputGradient: g, inputGradient: $0) }
            }
        }
        #expect((0..<x.count).allSatisfy { dx[$0] == (y[$0] > 0 ? dy[$0] : 0) })
        var short = [Float](repeating: 0, count: 3)
        #expect(throws: ConvKitError.self) {
            try x.withUnsafeBufferPointer { xb in try short.withUnsafeMutableBufferPointer { try ReLUKernel.forward(xb, into: $0) } }
        }
    }

    @Test("bias add with ReLU, and the bias gradient (channel sums, same bits for any threads)")
    func bias() throws {
        let rows = 301, c = 19
        let data = convolutionData(count: rows * c, integers: true, seed: 3)
        let b = convolutionData(count: c, integers: true, seed: 4)
        var out = data
        try b.withUnsafeBufferPointer { bb in try out.withUnsafeMutableBufferPointer { try Bias.add(bb, to: $0, activation: .relu) } }
        #expect((0..<rows * c).allSatisfy { out[$0] == max(0, data[$0] + b[$0 % c]) })
        var grad = [Float](repeating: 0, count: c)
        try data.withUnsafeBufferPointer { d in try grad.withUnsafeMutableBufferPointer { try Bias.gradient(outputGradient: d, into: $0) } }
        #expect((0..<c).allSatisfy { j in grad[j] == (0..<rows).reduce(Float(0)) { $0 + data[$1 * c + j] } })
        var wrong = [Float](repeating: 0, count: 8)  // 301 * 19 is not a multiple of 8
        #expect(throws: ConvKitError.self) {
            try data.withUnsafeBufferPointer { d in try wrong.withUnsafeMutableBufferPointer { try Bias.gradient(outputGradient: d, into: $0) } }
        }
    }

    @Test("softmax cross-entropy: loss and gradient match the Double reference, stable for huge logits; bad labels throw")
    func softmaxCrossEntropy() throws {
        let rows = 37, classes = 10
        var logits = convolutionData(count: rows * classes, integers: false, seed: 5).map { $0 * 8 }
        logits[0] = 1e4  // would overflow a naive exp
        logits[11] = -1e4
        var g = TestGenerator(seed: 6)
        let labels = (0..<rows).map { _ in Int.random(in: 0..<classes, using: &g) }
        let (expectedLoss, expectedGradient) = ReferenceElementwise.softmaxCrossEntropy(logits: logits, labels: labels, classes: classes)
        var gradient = [Float](repeating: .nan, count: logits.count)
        let labels32 = labels.map { Int32($0) }
        let loss = try logits.withUnsafeBufferPointer { l in
            try labels32.withUnsafeBufferPointer { y in
                try gradient.withUnsafeMutableBufferPointer { try SoftmaxCrossEntropy.loss(logits: l, labels: y, classes: classes, gradient: $0) }
            }
        }
        #expect(loss.isFinite && abs(Double(loss) - expectedLoss) <= 1e-5 * max(1, expectedLoss))
        #expect(zip(gradient, expectedGradient).allSatisfy { abs(Double($0) - $1) < 1e-7 })
        for bad: Int32 in [-1, 10] {
            var labelsBad = labels32
            labelsBad[5] = bad
            do {
                _ = try logits.withUnsafeBufferPointer { l in
                    try labelsBad.withUnsafeBufferPointer { try SoftmaxCrossEntropy.loss(logits: l, labels: $0, classes: classes) }
                }
                Issue.record("label \(bad) did not throw")
            } catch let ConvKitError.invalidArgument(name, message) {
                #expect(name == "labels" && message.contains("row 5"), "\(message)")
            }
        }
    }
}
