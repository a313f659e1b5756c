import ConvKit
import Foundation
import Testing

/// The bits of a fixed set of problems (GEMM shapes and transposes, every convolution pass and
/// algorithm, pooling), per instruction set, against hashes recorded from the code as it was
/// before a refactoring of how kernels are selected and planned: such a change must not move a
/// single bit. Values are FNV-1a hashes of the outputs' bit patterns.
///
/// A new ISA or architecture has no recorded hashes: the test says so and checks nothing for it.
/// `CONVKIT_PRINT_HASHES=1 swift test -c release --filter ResultHash` prints the table to record
/// (only when a change is meant to move bits, and then say so in the commit).
@Suite("Result hashes")
struct ResultHashTests {
    /// The FNV-1a hash of the values' bit patterns (little-endian bytes).
    static func fnv1a(_ values: [Float]) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for v in values {
            var bits = v.bitPattern
            for _ in 0..<4 {
                hash ^= UInt64(bits & 0xFF)
                hash = hash &* 0x100_0000_01B3
                bits >>= 8
            }
        }
        return hash
    }

    static func data(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
        var g = TestGenerator(seed: seed)
        return (0..<count).map { _ in Float.random(in: -scale...scale, using: &g) }
    }

    /// Problem name -> hash, for one ISA.
    static func hashes(isa: ISA) throws -> [String: UInt64] {
        var out: [String: UInt64] = [:]
        let context = try ExecutionContext(threads: 2, isa: isa)
        // GEMM: square, conv-shaped, split-K, transposes, edges.
        let gemms: [(String, Transpose, Transpose, Int, Int, Int)] = [
            ("gemm NN 64", .noTranspose, .noTranspose, 64, 64, 64),
            ("gemm NN 300x200x700", .noTranspose, .noTranspose, 300, 200, 700),
            ("gemm NN 64x1024x576", .noTranspose, .noTranspose, 64, 1024, 576),
            ("gemm NN 32x5000x27", .noTranspose, .noTranspose, 32, 5000, 27),
            ("gemm TN 288x2000x64", .transpose, .noTranspose, 288, 2000, 64),
            ("gemm NT 32x27x6000", .noTranspose, .transpose, 32, 27, 6000),
            ("gemm NT 64x288x3000", .noTranspose, .transpose, 64, 288, 3000),
            ("gemm TT 17x33x129", .transpose, .transpose, 17, 33, 129),
            ("gemm NN 1300x40x70", .noTranspose, .noTranspose, 1300, 40, 70),
        ]
        for (name, ta, tb, m, n, k) in gemms {
            let a = data(m * k, seed: 1), b = data(k * n, seed: 2)
            var c = data(m * n, seed: 3)
            try GEMM.sgemm(ta, tb, m: m, n: n, k: k, alpha: 0.75, a: a, b: b, beta: 0.5, c: &c, context: context)
            out[name] = fnv1a(c)
        }
        // Convolution: the CIFAR layers at batch 2 and two other shapes, every algorithm and pass.
        let shapes: [(String, ConvolutionShape)] = [
            (
                "conv1",
                try ConvolutionShape(
                    batch: 2, inputHeight: 32, inputWidth: 32, inputChannels: 3, outputChannels: 32,
                    descriptor: ConvolutionDescriptor(kernel: 3))
            ),
            (
                "conv2",
                try ConvolutionShape(
                    batch: 2, inputHeight: 15, inputWidth: 15, inputChannels: 32, outputChannels: 64,
                    descriptor: ConvolutionDescriptor(kernel: 3))
            ),
            (
                "conv3",
                try ConvolutionShape(
                    batch: 3, inputHeight: 6, inputWidth: 6, inputChannels: 64, outputChannels: 64,
                    descriptor: ConvolutionDescriptor(kernel: 3))
            ),
            (
                "stride2 same",
                try ConvolutionShape(
                    batch: 2, inputHeight: 14, inputWidth: 13, inputChannels: 16, outputChannels: 40,
                    descriptor: ConvolutionDescriptor(kernel: 3, stride: 2, padding: .same))
            ),
            (
                "grouped dilated nchw",
                try ConvolutionShape(
                    batch: 2, inputHeight: 12, inputWidth: 12, inputChannels: 8, outputChannels: 12,
                    descriptor: ConvolutionDescriptor(kernel: 3, dilation: 2, padding: .same, groups: 2),
                    layout: .nchw)
            ),
        ]
        for (name, s) in shapes {
            let x = data(s.inputCount, seed: 4), w = data(s.weightCount, seed: 5, scale: 0.2), bias = data(s.outputChannels, seed: 6)
            let dy = data(s.outputCount, seed: 7)
            for algorithm in [ConvolutionAlgorithm.auto, .direct, .im2col] {
                let conv = try Convolution(shape: s, algorithm: algorithm, context: context)
                var y = [Float](repeating: 0, count: s.outputCount)
                var dx = [Float](repeating: 0, count: s.inputCount)
                var dw = [Float](repeating: 0, count: s.weightCount)
                var db = [Float](repeating: 0, count: s.outputChannels)
                try conv.forward(input: x, weights: w, bias: bias, output: &y, activation: .relu)
                try conv.backwardData(outputGradient: dy, weights: w, inputGradient: &dx)
                try conv.backwardWeights(input: x, outputGradient: dy, weightGradient: &dw, biasGradient: &db)
                for (pass, values) in [("forward", y), ("backwardData", dx), ("backwardWeights", dw + db)] {
                    out["\(name) \(pass) \(algorithm.rawValue)"] = fnv1a(values)
                }
            }
        }
        // Pooling: tiling and overlapping windows, max and average, forward and backward.
        let pools: [(String, PoolingShape)] = [
            ("pool 2x2", try PoolingShape(batch: 2, inputHeight: 30, inputWidth: 30, channels: 32, descriptor: PoolingDescriptor(window: 2))),
            (
                "pool 3x3/2 same",
                try PoolingShape(
                    batch: 1, inputHeight: 15, inputWidth: 15, channels: 20,
                    descriptor: PoolingDescriptor(window: 3, stride: 2, padding: .same))
            ),
        ]
        for (name, s) in pools {
            let x = data(s.inputCount, seed: 8), dy = data(s.outputCount, seed: 9)
            var y = [Float](repeating: 0, count: s.outputCount), dx = [Float](repeating: 0, count: s.inputCount)
            var indices: [Int32]? = [Int32](repeating: 0, count: s.outputCount)
            let maxPool = try MaxPooling(shape: s, context: context)
            try maxPool.forward(input: x, output: &y, indices: &indices)
            try maxPool.backward(outputGradient: dy, indices: indices!, inputGradient: &dx)
            out["\(name) max"] = fnv1a(y + dx)
            let avgPool = try AveragePooling(shape: s, context: context)
            try avgPool.forward(input: x, output: &y)
            try avgPool.backward(outputGradient: dy, inputGradient: &dx)
            out["\(name) average"] = fnv1a(y + dx)
        }
        return out
    }

    static var architecture: String {
        #if arch(x86_64)
        return "x86_64"
        #elseif arch(arm64)
        return "arm64"
        #else
        return "other"
        #endif
    }

    @Test("every problem of every ISA gives the recorded bits")
    func recordedBits() throws {
        let print = ProcessInfo.processInfo.environment["CONVKIT_PRINT_HASHES"] == "1"
        for isa in ISA.supported {
            let key = "\(Self.architecture) \(isa.rawValue)"
            let actual = try Self.hashes(isa: isa)
            if print {
                Swift.print("        \"\(key)\": [")
                for name in actual.keys.sorted() { Swift.print("            \"\(name)\": 0x\(String(actual[name]!, radix: 16, uppercase: true)),") }
                Swift.print("        ],")
            }
            guard let expected = RecordedResultHashes.table[key] else {
                Swift.print("Result hashes: none recorded for \(key); its bits are not checked (CONVKIT_PRINT_HASHES=1 prints them)")
                continue
            }
            #expect(Set(actual.keys) == Set(expected.keys), "\(key): the problem list changed")
            for (name, hash) in expected.sorted(by: { $0.key < $1.key }) {
                #expect(actual[name] == hash, "\(key) \(name): bits differ from the recorded ones")
            }
        }
    }
}
