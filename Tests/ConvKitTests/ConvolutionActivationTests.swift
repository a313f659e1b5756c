import ConvKit
import Testing

/// Every activation fused into the convolution forward (the direct microkernels' epilogues, the
/// im2col epilogue, softmax as a pass) against the convolution without one followed by the
/// activation kernel: the same bits, every algorithm and table, tiles narrower than a vector.
@Suite("Convolution with fused activations")
struct ConvolutionActivationTests {
    @Test("fused equals unfused, bitwise", arguments: KernelTable.available.map(\.isa))
    func fusedEqualsSeparate(isa: ISA) throws {
        var g = TestGenerator(seed: 21)
        for (cin, cout) in [(3, 10), (8, 16), (5, 37)] {
            let shape = try ConvolutionShape(
                batch: 3, inputHeight: 7, inputWidth: 6, inputChannels: cin, outputChannels: cout,
                descriptor: ConvolutionDescriptor(kernel: 3, padding: .same))
            let x = (0..<shape.inputCount).map { _ in Float.random(in: -2...2, using: &g) }
            let w = (0..<shape.weightCount).map { _ in Float.random(in: -1...1, using: &g) }
            let b = (0..<cout).map { _ in Float.random(in: -1...1, using: &g) }
            for algorithm in [ConvolutionAlgorithm.direct, .im2col] {
                let context = try ExecutionContext(threads: 2, isa: isa)
                let conv = try Convolution(shape: shape, algorithm: algorithm, context: context)
                // With a bias and without one (the epilogues' other branch).
                for bias in [b, nil] {
                    var plain = [Float](repeating: 0, count: shape.outputCount)
                    try conv.forward(input: x, weights: w, bias: bias, output: &plain)
                    for activation in Activation.allCases where activation != .none {
                        var fused = [Float](repeating: .nan, count: shape.outputCount)
                        try conv.forward(input: x, weights: w, bias: bias, output: &fused, activation: activation)
                        var separate = [Float](repeating: .nan, count: shape.outputCount)
                        try plain.withUnsafeBufferPointer { p in
                            try separate.withUnsafeMutableBufferPointer {
                                try ActivationKernel.forward(activation, p, into: $0, channels: cout, context: context)
                            }
                        }
                        #expect(
                            fused.map(\.bitPattern) == separate.map(\.bitPattern),
                            "\(isa) \(algorithm) \(activation) cin \(cin) cout \(cout) bias \(bias != nil)")
                    }
                }
            }
        }
    }
}
