import ConvKit
import Foundation
import Testing

/// Every table's elementwise kernels through their contracts at edge lengths (empty, one, around
/// every vector width, a long run), against scalar Swift loops with the same operations: the bits
/// must match exactly on x86-64 (no FMA contraction in any set) and agree across tables.
@Suite("Elementwise kernels of every table")
struct ElementwiseTableTests {
    static let lengths = [0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 65, 1000]

    static func data(_ n: Int, seed: UInt64, range: ClosedRange<Float> = -2...2) -> [Float] {
        var g = TestGenerator(seed: seed)
        return (0..<n).map { _ in Float.random(in: range, using: &g) }
    }

    static func bits(_ v: [Float]) -> [UInt32] { v.map(\.bitPattern) }

    @Test("ReLU, its gradient, bias + ReLU and channel sums", arguments: KernelTable.available.map(\.isa))
    func activationAndBias(isa: ISA) throws {
        let context = try ExecutionContext(threads: 1, isa: isa)
        for n in Self.lengths {
            let x = Self.data(n, seed: UInt64(n) + 1)
            var y = [Float](repeating: .nan, count: n)
            try x.withUnsafeBufferPointer { xp in
                try y.withUnsafeMutableBufferPointer { try ReLUKernel.forward(xp, into: $0, context: context) }
            }
            #expect(Self.bits(y) == Self.bits(x.map { $0 < 0 ? 0 : $0 }), "\(isa) relu n \(n)")
            let dy = Self.data(n, seed: UInt64(n) + 2)
            var dx = [Float](repeating: .nan, count: n)
            try y.withUnsafeBufferPointer { yp in
                try dy.withUnsafeBufferPointer { dyp in
                    try dx.withUnsafeMutableBufferPointer { try ReLUKernel.backward(output: yp, outputGradient: dyp, inputGradient: $0, context: context) }
                }
            }
            #expect(Self.bits(dx) == Self.bits(zip(y, dy).map { $0 > 0 ? $1 : 0 }), "\(isa) relu backward n \(n)")
            // n rows of up to 33 channels.
            for channels in [1, 8, 17, 33] {
                let bias = Self.data(channels, seed: 5)
                var rows = Self.data(max(1, n) * channels, seed: UInt64(n) + 3)
                var expected = rows
                for i in 0..<expected.count {
                    let v = expected[i] + bias[i % channels]
                    expected[i] = v < 0 ? 0 : v
                }
                try bias.withUnsafeBufferPointer { b in
                    try rows.withUnsafeMutableBufferPointer { try Bias.add(b, to: $0, activation: .relu, context: context) }
                }
                #expect(Self.bits(rows) == Self.bits(expected), "\(isa) bias+relu n \(n) c \(channels)")
                var sums = [Float](repeating: .nan, count: channels)
                try rows.withUnsafeBufferPointer { r in
                    try sums.withUnsafeMutableBufferPointer { try Bias.gradient(outputGradient: r, into: $0, context: context) }
                }
                var reference = [Float](repeating: 0, count: channels)
                for i in 0..<rows.count { reference[i % channels] += rows[i] }
                #expect(Self.bits(sums) == Self.bits(reference), "\(isa) channel sums n \(n) c \(channels)")
            }
        }
    }

    @Test("Adam, SGD (with and without momentum) and gradient accumulation", arguments: KernelTable.available.map(\.isa))
    func optimizerUpdates(isa: ISA) throws {
        let context = try ExecutionContext(threads: 1, isa: isa)
        for n in Self.lengths {
            let g = Self.data(n, seed: UInt64(n) + 11)
            var w = Self.data(n, seed: UInt64(n) + 12), m = Self.data(n, seed: 13, range: -0.1...0.1).prefix(n).map { $0 }
            var v = Self.data(n, seed: 14, range: 0...0.1)
            var (rw, rm, rv) = (w, m, v)
            // The step size as OptimizerKernels.adam computes it (in Double) for step 2.
            let b1 = Double(Float(0.9)), b2 = Double(Float(0.999))
            let alpha = Float(Double(Float(0.001)) * (1 - b2 * b2).squareRoot() / (1 - b1 * b1))
            for i in 0..<n {
                let mi = rm[i] + (g[i] - rm[i]) * (1 - Float(0.9))
                let vi = rv[i] + (g[i] * g[i] - rv[i]) * (1 - Float(0.999))
                rm[i] = mi
                rv[i] = vi
                rw[i] -= (mi * alpha) / (vi.squareRoot() + 1e-7)
            }
            try w.withUnsafeMutableBufferPointer { wp in
                try g.withUnsafeBufferPointer { gp in
                    try m.withUnsafeMutableBufferPointer { mp in
                        try v.withUnsafeMutableBufferPointer { vp in
                            try OptimizerKernels.adam(
                                weights: wp, gradient: gp, m: mp, v: vp, learningRate: 0.001, beta1: 0.9,
                                beta2: 0.999, epsilon: 1e-7, step: 2, context: context)
                        }
                    }
                }
            }
            #if arch(x86_64)
            #expect(Self.bits(w) == Self.bits(rw) && Self.bits(m) == Self.bits(rm) && Self.bits(v) == Self.bits(rv), "\(isa) adam n \(n)")
            #endif
            for momentum in [Float(0), 0.9] {
                var w2 = Self.data(n, seed: UInt64(n) + 15), vel = Self.data(n, seed: 16, range: -0.1...0.1)
                var (rw2, rvel) = (w2, vel)
                for i in 0..<n {
                    let gi = g[i] + 0.01 * rw2[i]
                    if momentum != 0 {
                        rvel[i] = momentum * rvel[i] - 0.05 * gi
                        rw2[i] += rvel[i]
                    } else {
                        rw2[i] -= 0.05 * gi
                    }
                }
                try w2.withUnsafeMutableBufferPointer { wp in
                    try g.withUnsafeBufferPointer { gp in
                        try vel.withUnsafeMutableBufferPointer { vp in
                            try OptimizerKernels.sgd(
                                weights: wp, gradient: gp, velocity: momentum == 0 ? nil : vp, learningRate: 0.05,
                                momentum: momentum, weightDecay: 0.01, context: context)
                        }
                    }
                }
                #if arch(x86_64)
                #expect(Self.bits(w2) == Self.bits(rw2), "\(isa) sgd momentum \(momentum) n \(n)")
                #endif
            }
            var sum = Self.data(n, seed: 17)
            let expected = zip(sum, g).map { $0 + $1 }
            try g.withUnsafeBufferPointer { gp in try sum.withUnsafeMutableBufferPointer { try OptimizerKernels.accumulate(gp, into: $0, context: context) } }
            #expect(Self.bits(sum) == Self.bits(expected), "\(isa) accumulate n \(n)")
        }
    }

    @Test("Nesterov SGD, AdaGrad, RMSprop (plain, momentum, centered, both) and Nadam give the same bits in every table")
    func optimizerUpdatesAcrossTables() throws {
        for n in Self.lengths {
            let g = Self.data(n, seed: UInt64(n) + 21)
            var results: [[UInt32]] = []
            for table in KernelTable.available {
                let context = try ExecutionContext(threads: 1, isa: table.isa)
                // Weights, then each optimizer's own state: velocity, accumulator, RMSprop's velocity,
                // momentum and mean gradient, Nadam's m and v.
                var buffers = [
                    Self.data(n, seed: UInt64(n) + 22), Self.data(n, seed: 23, range: -0.1...0.1), Self.data(n, seed: 24, range: 0...0.5),
                    Self.data(n, seed: 25, range: 0.5...1), Self.data(n, seed: 26, range: -0.1...0.1), Self.data(n, seed: 27, range: -0.1...0.1),
                    Self.data(n, seed: 28, range: -0.1...0.1), Self.data(n, seed: 29, range: 0...0.5),
                ]
                try withMutableBuffers(&buffers) { b in
                    try g.withUnsafeBufferPointer { gp in
                        try OptimizerKernels.sgdNesterov(
                            weights: b[0], gradient: gp, velocity: b[1], learningRate: 0.05, momentum: 0.9, weightDecay: 0.01, context: context)
                        try OptimizerKernels.adagrad(weights: b[0], gradient: gp, accumulator: b[2], learningRate: 0.1, epsilon: 1e-7, context: context)
                        try OptimizerKernels.rmsprop(
                            weights: b[0], gradient: gp, velocity: b[3], momentumBuffer: nil, averageGradient: nil, learningRate: 0.01, rho: 0.9,
                            momentum: 0, epsilon: 1e-7, context: context)
                        try OptimizerKernels.rmsprop(
                            weights: b[0], gradient: gp, velocity: b[3], momentumBuffer: b[4], averageGradient: nil, learningRate: 0.01,
                            rho: 0.9, momentum: 0.5, epsilon: 1e-7, context: context)
                        try OptimizerKernels.rmsprop(
                            weights: b[0], gradient: gp, velocity: b[3], momentumBuffer: nil, averageGradient: b[5], learningRate: 0.01,
                            rho: 0.9, momentum: 0, epsilon: 1e-7, context: context)
                        try OptimizerKernels.rmsprop(
                            weights: b[0], gradient: gp, velocity: b[3], momentumBuffer: b[4], averageGradient: b[5], learningRate: 0.01,
                            rho: 0.9, momentum: 0.5, epsilon: 1e-7, context: context)
                        let step = OptimizerKernels.NadamStep(
                            step: 3, beta1: 0.9, beta2: 0.999, uProduct: OptimizerKernels.NadamStep.product(through: 3, beta1: 0.9))
                        try OptimizerKernels.nadam(
                            weights: b[0], gradient: gp, m: b[6], v: b[7], learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, step: step,
                            context: context)
                    }
                }
                let finite = buffers.allSatisfy { $0.allSatisfy { $0.isFinite } }
                #expect(finite, "\(table.isa) n \(n)")
                results.append(Self.bits(buffers.flatMap { $0 }))
            }
            #if arch(x86_64)
            #expect(Set(results).count == 1, "n \(n): the tables disagree")
            #endif
        }
    }
}

/// Runs `body` with mutable buffer pointers to every array of `arrays` at once.
func withMutableBuffers<R>(_ arrays: inout [[Float]], _ body: ([UnsafeMutableBufferPointer<Float>]) throws -> R) rethrows -> R {
    let pointers = arrays.map { a -> UnsafeMutableBufferPointer<Float> in
        let p = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, a.count))
        _ = p.initialize(from: a)
        return UnsafeMutableBufferPointer(start: p.baseAddress, count: a.count)
    }
    defer { for p in pointers { p.baseAddress?.deallocate() } }
    let result = try body(pointers)
    for k in arrays.indices { arrays[k] = Array(pointers[k]) }
    return result
}
