import ConvKit
import Foundation
import Testing

/// The batch-normalization, regularizer and clipping kernels of every table through their
/// contracts at edge sizes (row blocks of 16 and channel blocks of 64 and their remainders):
/// against Swift loops, and the same bits in every table.
@Suite("Normalization, regularizer and clipping kernels of every table")
struct NormalizationKernelTests {
    static let rowCounts = [0, 1, 15, 16, 17, 33]
    static let channelCounts = [1, 7, 64, 65, 130]

    static func data(_ n: Int, seed: UInt64, range: ClosedRange<Float> = -3...3) -> [Float] {
        var g = TestGenerator(seed: seed)
        return (0..<n).map { _ in Float.random(in: range, using: &g) }
    }

    struct Results: Equatable {
        var sums: [UInt64] = [], scaled: [UInt32] = [], backwardSums: [UInt64] = [], dx: [UInt32] = []
    }

    static func run(isa: ISA, rows: Int, c: Int) throws -> Results {
        let context = try ExecutionContext(threads: 1, isa: isa)
        let x = data(rows * c, seed: UInt64(rows * 131 + c), range: 97...103), dy = data(rows * c, seed: UInt64(c))
        let shift = data(c, seed: 3, range: 99...101), scale = data(c, seed: 4), offset = data(c, seed: 5)
        var sum = [Double](repeating: 0, count: c), squares = [Double](repeating: 0, count: c)
        try x.withUnsafeBufferPointer { xp in
            try shift.withUnsafeBufferPointer { sp in
                try sum.withUnsafeMutableBufferPointer { s in
                    try squares.withUnsafeMutableBufferPointer {
                        try BatchNormalizationKernels.accumulateMoments(xp, channels: c, shift: sp, sum: s, sumSquares: $0, context: context)
                    }
                }
            }
        }
        for j in 0..<c {
            var s = 0.0, q = 0.0
            for r in 0..<rows {
                let v = Double(x[r * c + j] - shift[j])
                s += v
                q += v * v
            }
            #expect(abs(sum[j] - s) <= 1e-5 * max(1, abs(s)) && abs(squares[j] - q) <= 1e-5 * max(1, q), "\(isa) moments r \(rows) c \(c)")
        }
        var y = [Float](repeating: .nan, count: rows * c)
        try x.withUnsafeBufferPointer { xp in
            try y.withUnsafeMutableBufferPointer { yp in
                try scale.withUnsafeBufferPointer { a in
                    try offset.withUnsafeBufferPointer { b in try BatchNormalizationKernels.scaleShift(xp, into: yp, scale: a, shift: b, context: context) }
                }
            }
        }
        #expect(y.map(\.bitPattern) == (0..<(rows * c)).map { (x[$0] * scale[$0 % c] + offset[$0 % c]).bitPattern })
        var sumDy = [Double](repeating: 0, count: c), sumDyCentered = [Double](repeating: 0, count: c)
        try x.withUnsafeBufferPointer { xp in
            try dy.withUnsafeBufferPointer { dyp in
                try shift.withUnsafeBufferPointer { m in
                    try sumDy.withUnsafeMutableBufferPointer { a in
                        try sumDyCentered.withUnsafeMutableBufferPointer {
                            try BatchNormalizationKernels.accumulateBackwardSums(
                                x: xp, outputGradient: dyp, mean: m, sumDy: a, sumDyCentered: $0, context: context)
                        }
                    }
                }
            }
        }
        for j in 0..<c {
            var a = 0.0, b = 0.0
            for r in 0..<rows {
                a += Double(dy[r * c + j])
                b += Double(dy[r * c + j]) * Double(x[r * c + j] - shift[j])
            }
            #expect(abs(sumDy[j] - a) <= 1e-5 * max(1, abs(a)) && abs(sumDyCentered[j] - b) <= 1e-5 * max(1, abs(b)))
        }
        let inv = data(c, seed: 6, range: 0.5...2), gain = data(c, seed: 7), md = data(c, seed: 8), mdx = data(c, seed: 9)
        var dx = dy
        try x.withUnsafeBufferPointer { xp in
            try dx.withUnsafeMutableBufferPointer { d in
                let dyp = UnsafeBufferPointer(d)
                try shift.withUnsafeBufferPointer { m in
                    try inv.withUnsafeBufferPointer { i in
                        try gain.withUnsafeBufferPointer { g in
                            try md.withUnsafeBufferPointer { a in
                                try mdx.withUnsafeBufferPointer {
                                    try BatchNormalizationKernels.backwardData(
                                        x: xp, outputGradient: dyp, into: d, mean: m, inverseStd: i, gain: g, meanDy: a, meanDyXhat: $0,
                                        context: context)
                                }
                            }
                        }
                    }
                }
            }
        }
        let expected = (0..<(rows * c)).map { k -> UInt32 in
            let j = k % c, xhat = (x[k] - shift[j]) * inv[j]
            return (gain[j] * ((dy[k] - md[j]) - xhat * mdx[j])).bitPattern
        }
        #expect(dx.map(\.bitPattern) == expected, "\(isa) backward data r \(rows) c \(c)")
        return Results(
            sums: (sum + squares).map(\.bitPattern), scaled: y.map(\.bitPattern), backwardSums: (sumDy + sumDyCentered).map(\.bitPattern),
            dx: dx.map(\.bitPattern))
    }

    @Test("batch-normalization kernels: contracts at edge sizes, the same bits in every table")
    func batchNormalization() throws {
        for rows in Self.rowCounts {
            for c in Self.channelCounts {
                let reference = try Self.run(isa: .generic, rows: rows, c: c)
                for isa in KernelTable.available.map(\.isa) where isa != .generic {
                    #expect(try Self.run(isa: isa, rows: rows, c: c) == reference, "\(isa) r \(rows) c \(c)")
                }
            }
        }
    }

    @Test("regularizer gradient, |x| and x^2 sums, scale and clip", arguments: KernelTable.available.map(\.isa))
    func regularizerAndClipping(isa: ISA) throws {
        let context = try ExecutionContext(threads: 1, isa: isa)
        for n in [0, 1, 7, 8, 9, 17, 1000] {
            var w = Self.data(n, seed: UInt64(n) + 1)
            if n > 2 { w[1] = 0 }
            let g0 = Self.data(n, seed: UInt64(n) + 2)
            var g = g0
            try w.withUnsafeBufferPointer { wp in
                try g.withUnsafeMutableBufferPointer { try GradientKernels.addRegularizerGradient(weights: wp, into: $0, l1: 0.01, l2: 0.5, context: context) }
            }
            let expected = (0..<n).map { i -> UInt32 in
                let sign: Float = w[i] > 0 ? 1 : w[i] < 0 ? -1 : 0
                return (g0[i] + (Float(0.01) * sign + Float(2) * Float(0.5) * w[i])).bitPattern
            }
            #expect(g.map(\.bitPattern) == expected, "\(isa) regularizer n \(n)")
            let sums = try w.withUnsafeBufferPointer { try GradientKernels.absAndSquareSums($0, context: context) }
            let a = w.reduce(0.0) { $0 + abs(Double($1)) }, s = w.reduce(0.0) { $0 + Double($1) * Double($1) }
            #expect(abs(sums.abs - a) <= 1e-12 * max(1, a) && abs(sums.squares - s) <= 1e-12 * max(1, s))
            let generic = try ExecutionContext(threads: 1, isa: .generic)
            let reference = try w.withUnsafeBufferPointer { try GradientKernels.absAndSquareSums($0, context: generic) }
            #expect(sums.abs.bitPattern == reference.abs.bitPattern && sums.squares.bitPattern == reference.squares.bitPattern)
            var c = g0 + [.nan]
            try c.withUnsafeMutableBufferPointer { try GradientKernels.scaleAndClip($0, scale: 0.5, limit: 0.75, context: context) }
            #expect(c.dropLast().map(\.bitPattern) == g0.map { min(max($0 * 0.5, -0.75), 0.75).bitPattern } && c.last!.isNaN)
        }
    }
}
