import ConvKit
import ConvKitReference
import Foundation
import Testing

/// Every activation of every table against Foundation's double functions over the whole float
/// range: every 4099th bit pattern (both signs, subnormals to the largest finite) and the special
/// values, within the error bounds stated in `Kernels/common/ck_math.h`; saturation without NaN
/// or Inf; the same bits from every table; the backward passes against the derivatives.
@Suite("Activation kernels: accuracy over the float range")
struct ActivationAccuracyTests {
    static let specials: [Float] = [
        0, -0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, -.leastNormalMagnitude,
        1e-30, -1e-30, 1e-8, -1e-8, 0.25, -0.25, 0.4999, -0.4999, 0.5, -0.5, 1, -1, 9, -9, 20, -20, 87, -87, 88.72, 88.73,
        89, -103.9, -104, -150, 1e10, -1e10, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .infinity, -.infinity, .nan,
    ]

    /// Every 4099th float bit pattern (NaNs dropped) plus the specials.
    static let sweep: [Float] = {
        var v = specials
        var bits: UInt64 = 0
        while bits < 1 << 32 {
            let f = Float(bitPattern: UInt32(bits))
            if !f.isNaN { v.append(f) }
            bits += 4099
        }
        return v
    }()

    /// The error of `got` against `exact` in units of the last place of `exact` (2^-149 for
    /// subnormal results); 0 when both are the same infinity or both NaN.
    static func ulps(_ got: Float, _ exact: Double) -> Double {
        // ConvKit's regions flush subnormals (``Denormals/flushToZero``, on by default): a
        // subnormal result may read as zero.
        if Denormals.flushToZero && abs(exact) < Double(Float.leastNormalMagnitude) && got == 0 { return 0 }
        if exact.isNaN { return got.isNaN ? 0 : .infinity }
        if exact.isInfinite || abs(exact) > Double(Float.greatestFiniteMagnitude) {
            return Double(got) == exact || (got.isInfinite && got.sign == exact.sign) ? 0 : .infinity
        }
        if got.isNaN || got.isInfinite { return .infinity }
        let e = Float(exact)
        let ulp = Double(max(e.magnitude.ulp, Float.leastNonzeroMagnitude))
        return abs(Double(got) - exact) / ulp
    }

    /// The stated bounds (ulp) of each kind's forward pass.
    static let bounds: [Activation: Double] = [
        .none: 0, .relu: 0, .leakyReLU: 0.5, .sigmoid: 3, .tanh: 3, .elu: 2, .softplus: 3,
    ]

    static func run(_ a: Activation, _ x: [Float], alpha: Float? = nil, channels: Int = 1, isa: ISA) throws -> [Float] {
        let context = try ExecutionContext(threads: 1, isa: isa)
        var y = [Float](repeating: .nan, count: x.count)
        try x.withUnsafeBufferPointer { xp in
            try y.withUnsafeMutableBufferPointer { try ActivationKernel.forward(a, alpha: alpha, xp, into: $0, channels: channels, context: context) }
        }
        return y
    }

    @Test("forward within the stated bound of the double-precision definition", arguments: KernelTable.available.map(\.isa))
    func forwardAccuracy(isa: ISA) throws {
        for (a, bound) in Self.bounds {
            let alpha = Double(a.defaultAlpha)
            let kind = ReferenceActivation.Kind(rawValue: a.rawValue)!
            let y = try Self.run(a, Self.sweep, isa: isa)
            var worst = 0.0, at: Float = 0
            for (x, got) in zip(Self.sweep, y) {
                // With flushing on, a subnormal input reads as zero of its sign.
                // (an instruction that only moves or blends bits may keep it).
                var e = Self.ulps(got, ReferenceActivation.value(kind, Double(x), alpha: alpha))
                if Denormals.flushToZero && x.isSubnormal {
                    e = min(e, Self.ulps(got, ReferenceActivation.value(kind, x.sign == .minus ? -0.0 : 0.0, alpha: alpha)))
                }
                if e > worst { (worst, at) = (e, x) }
            }
            #expect(worst <= bound, "\(isa) \(a): \(worst) ulp at x = \(at) (bound \(bound))")
            if ProcessInfo.processInfo.environment["CONVKIT_PRINT_ULPS"] != nil { print("\(isa) \(a): worst \(worst) ulp at \(at)") }
        }
    }

    @Test("saturation: large inputs give 0, ±1 or x, never NaN or Inf where the function is finite", arguments: KernelTable.available.map(\.isa))
    func saturation(isa: ISA) throws {
        // Beyond 104 every exp-based kind has reached its float limit exactly.
        let big: [Float] = [210, 1e4, 1e20, .greatestFiniteMagnitude]
        for x in big {
            #expect(try Self.run(.sigmoid, [x, -x], isa: isa) == [1, 0])
            #expect(try Self.run(.tanh, [x, -x], isa: isa) == [1, -1])
            #expect(try Self.run(.elu, [-x], isa: isa) == [-1])
            #expect(try Self.run(.softplus, [x, -x], isa: isa) == [x, 0])
            let row = try Self.run(.softmax, [x, -x, 0, x / 2], channels: 4, isa: isa)
            #expect(row == [1, 0, 0, 0], "\(isa) softmax saturates at \(x): \(row)")
        }
        // Between: finite, in range, monotone.
        let ramp = stride(from: Float(-120), through: 120, by: 0.25).map { $0 }
        for a in [Activation.sigmoid, .tanh] {
            let y = try Self.run(a, ramp, isa: isa)
            #expect(y.allSatisfy { $0.isFinite && abs($0) <= 1 } && zip(y, y.dropFirst()).allSatisfy { $0 <= $1 }, "\(isa) \(a)")
        }
        #expect(try Self.run(.sigmoid, [.infinity, -.infinity], isa: isa) == [1, 0])
        #expect(try Self.run(.tanh, [.infinity, -.infinity], isa: isa) == [1, -1])
        #expect(try Self.run(.softplus, [.infinity, -.infinity], isa: isa) == [.infinity, 0])
        for a in Activation.allCases where a != .none {
            #expect(try Self.run(a, [.nan], isa: isa)[0].isNaN, "\(isa) \(a) keeps NaN")
        }
        // tanh keeps the sign of zero; sigmoid(0) = 0.5 exactly.
        #expect(try Self.run(.tanh, [-0.0], isa: isa)[0].sign == .minus)
        #expect(try Self.run(.sigmoid, [0], isa: isa) == [0.5])
    }

    @Test("softmax rows sum to 1 and match the definition; the backward passes match the derivatives", arguments: KernelTable.available.map(\.isa))
    func softmaxAndBackward(isa: ISA) throws {
        let context = try ExecutionContext(threads: 1, isa: isa)
        var g = TestGenerator(seed: 11)
        for channels in [1, 2, 3, 10, 17, 64] {
            let x = (0..<(channels * 7)).map { _ in Float.random(in: -30...30, using: &g) }
            let y = try Self.run(.softmax, x, channels: channels, isa: isa)
            let exact = ReferenceActivation.forward(.softmax, x, channels: channels, alpha: 0)
            // Relative error: a few ulp, plus the rounding of x - max (half an ulp of |x - max|).
            for r in 0..<7 {
                let m = x[(r * channels)..<((r + 1) * channels)].max()!
                for i in (r * channels)..<((r + 1) * channels) {
                    let bound = (4 + Double(abs(x[i] - m))) * 6e-8 * exact[i]
                    #expect(abs(Double(y[i]) - exact[i]) <= bound, "\(isa) softmax c \(channels): \(y[i]) vs \(exact[i])")
                }
            }
        }
        for a in Activation.allCases {
            let kind = ReferenceActivation.Kind(rawValue: a.rawValue)!, channels = 10
            let x = (0..<(channels * 9)).map { _ in Float.random(in: -6...6, using: &g) }
            let dy = (0..<x.count).map { _ in Float.random(in: -1...1, using: &g) }
            let y = try Self.run(a, x, channels: channels, isa: isa)
            var dx = [Float](repeating: .nan, count: x.count)
            try y.withUnsafeBufferPointer { yp in
                try dy.withUnsafeBufferPointer { dyp in
                    try dx.withUnsafeMutableBufferPointer {
                        try ActivationKernel.backward(a, output: yp, outputGradient: dyp, inputGradient: $0, channels: channels, context: context)
                    }
                }
            }
            let exact = ReferenceActivation.backward(kind, x, outputGradient: dy, channels: channels, alpha: Double(a.defaultAlpha))
            for (i, (got, e)) in zip(dx, exact).enumerated() {
                #expect(abs(Double(got) - e) <= 2e-6 * max(1, abs(e)), "\(isa) \(a) backward at x = \(x[i]): \(got) vs \(e)")
            }
        }
    }

    @Test("every table gives the same bits, and bias + activation equals bias then the activation")
    func sameBitsEverywhere() throws {
        var g = TestGenerator(seed: 5)
        let x = (0..<(7 * 1000)).map { _ in Float.random(in: -20...20, using: &g) }
        for a in Activation.allCases {
            let channels = a == .softmax ? 7 : 1
            let reference = try Self.run(a, x, channels: channels, isa: .generic).map(\.bitPattern)
            for isa in KernelTable.available.map(\.isa) {
                #expect(try Self.run(a, x, channels: channels, isa: isa).map(\.bitPattern) == reference, "\(isa) \(a)")
            }
            for isa in KernelTable.available.map(\.isa) {
                let context = try ExecutionContext(threads: 2, isa: isa)
                let bias = (0..<7).map { Float($0) - 3 }
                var fused = x
                try bias.withUnsafeBufferPointer { b in try fused.withUnsafeMutableBufferPointer { try Bias.add(b, to: $0, activation: a, context: context) } }
                let biased = x.enumerated().map { $1 + bias[$0 % 7] }
                let separate = try Self.run(a, biased, channels: 7, isa: isa)
                #expect(fused.map(\.bitPattern) == separate.map(\.bitPattern), "\(isa) bias + \(a)")
            }
        }
    }

    @Test("bad arguments throw: rows that do not divide, a negative slope, a non-positive ELU alpha")
    func badArguments() throws {
        let x: [Float] = [1, 2, 3]
        #expect(throws: ConvKitError.self) { try Self.run(.softmax, x, channels: 2, isa: .generic) }
        #expect(throws: ConvKitError.self) { try Self.run(.leakyReLU, x, alpha: -0.1, isa: .generic) }
        #expect(throws: ConvKitError.self) { try Self.run(.elu, x, alpha: 0, isa: .generic) }
        #expect(throws: ConvKitError.self) { try Self.run(.relu, x, channels: 0, isa: .generic) }
    }
}
