import ConvKit
import ConvKitReference
import Testing

/// One SGEMM test case: shape, transposes, scalars and extra leading-dimension padding.
struct GEMMCase: CustomTestStringConvertible, Sendable {
    var transA: Transpose, transB: Transpose
    var m: Int, n: Int, k: Int
    var alpha: Float = 1, beta: Float = 0
    var padA = 0, padB = 0, padC = 0

    var testDescription: String {
        "\(transA)\(transB) \(m)x\(n)x\(k) alpha=\(alpha) beta=\(beta) pad=\(padA),\(padB),\(padC)"
    }

    var aShape: (rows: Int, columns: Int) { transA == .noTranspose ? (m, k) : (k, m) }
    var bShape: (rows: Int, columns: Int) { transB == .noTranspose ? (k, n) : (n, k) }
    var lda: Int { max(1, aShape.columns + padA) }
    var ldb: Int { max(1, bShape.columns + padB) }
    var ldc: Int { max(1, n + padC) }
}

/// Deterministic pseudo-random values for test inputs.
struct TestGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed | 1 }
    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
}

/// A row-major `rows x columns` array with leading dimension `ld`: random values in [-1, 1] in
/// the matrix, `padding` in the gaps between rows (NaN proves the padding is never read).
func makeOperand(rows: Int, columns: Int, ld: Int, padding: Float, seed: UInt64) -> [Float] {
    var generator = TestGenerator(seed: seed)
    var out = [Float](repeating: padding, count: max(0, rows * ld))
    for i in 0..<rows {
        for j in 0..<columns { out[i * ld + j] = Float.random(in: -1...1, using: &generator) }
    }
    return out
}

/// Tolerance relative to the reference magnitude, scaled with the depth k.
func gemmTolerance(k: Int) -> Double { max(1e-5, 4e-7 * Double(k).squareRoot()) }

/// Runs `testCase` through ConvKit with `context` and through the reference, and checks every
/// element of C (padding included: it must be left untouched).
func checkAgainstReference(
    _ t: GEMMCase, context: ExecutionContext, cFill: Float? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let seed = UInt64(t.m * 7919 + t.n * 104_729 + t.k * 31 + 1)
    let a = makeOperand(rows: t.aShape.rows, columns: t.aShape.columns, ld: t.lda, padding: .nan, seed: seed)
    let b = makeOperand(rows: t.bShape.rows, columns: t.bShape.columns, ld: t.ldb, padding: .nan, seed: seed &+ 1)
    var c = makeOperand(rows: t.m, columns: t.n, ld: t.ldc, padding: 12345, seed: seed &+ 2)
    if let cFill {
        for i in 0..<t.m { for j in 0..<t.n { c[i * t.ldc + j] = cFill } }
    }
    var expected = c
    ReferenceGEMM.sgemm(
        transposeA: t.transA == .transpose, transposeB: t.transB == .transpose, m: t.m, n: t.n, k: t.k, alpha: t.alpha, a: a, lda: t.lda,
        b: b, ldb: t.ldb, beta: t.beta, c: &expected, ldc: t.ldc)
    let magnitude = ReferenceGEMM.magnitudes(
        transposeA: t.transA == .transpose, transposeB: t.transB == .transpose, m: t.m, n: t.n, k: t.k, alpha: t.alpha,
        a: a, lda: t.lda, b: b, ldb: t.ldb, beta: t.beta, c: c, ldc: t.ldc)
    try GEMM.sgemm(
        t.transA, t.transB, m: t.m, n: t.n, k: t.k, alpha: t.alpha, a: a, lda: t.lda,
        b: b, ldb: t.ldb, beta: t.beta, c: &c, ldc: t.ldc, context: context)
    let tolerance = gemmTolerance(k: t.k)
    var failures = 0
    for i in 0..<c.count {
        let (row, column) = (i / t.ldc, i % t.ldc)
        if column >= t.n {
            if c[i] != 12345, failures < 5 {
                failures += 1
                Issue.record("padding of C at (\(row), \(column)) was written: \(c[i])", sourceLocation: sourceLocation)
            }
            continue
        }
        let error = abs(Double(c[i]) - Double(expected[i]))
        let bound = tolerance * max(magnitude[i], 1e-30)
        if !(error <= bound), failures < 5 {
            failures += 1
            Issue.record(
                "C[\(row)][\(column)] = \(c[i]), reference \(expected[i]) (error \(error) > \(bound))",
                sourceLocation: sourceLocation)
        }
    }
}

/// The shape-policy limits `GEMMPlan` documents (not public knobs: the boundary tests put their
/// shapes on both sides of each, and `KernelTableTests` checks through `GEMM.describe` that the
/// plan switches there).
enum DocumentedGEMMPolicy {
    /// B read in place when `k * n` is at most this (and `op(B) = B`).
    static let unpackedBMaxElements = 16 * 1024
    /// ...or up to `unpackedBFewRowsMaxElements` when C has at most `unpackedBMaxRows` rows.
    static let unpackedBMaxRows = 64
    static let unpackedBFewRowsMaxElements = 1 << 20
    /// Row-band loop order when the packed B block has at most this many floats.
    static let rowBandMaxBElements = 128 * 1024
    /// Split-K chunks of about this depth, at most `splitKMaxChunks` of them.
    static let splitKDepth = 512
    static let splitKMaxChunks = 32
}

/// Shapes that straddle every blocking boundary of `kernel`: empty, single, MR +- 1, NR +- 1,
/// KC + 1, MC + 1, NC + 1, primes, the unpacked-B limit, split-K, split-K past its chunk cap, and
/// both orders of the two inner loops.
func boundaryShapes(for kernel: GEMMMicrokernel) -> [(m: Int, n: Int, k: Int)] {
    let b = kernel.blocking, P = DocumentedGEMMPolicy.self
    return [
        (0, 5, 7), (5, 0, 7), (5, 7, 0), (1, 1, 1),
        (b.mr - 1, b.nr - 1, 3), (b.mr, b.nr, b.kc), (b.mr + 1, b.nr + 1, b.kc + 1),
        (2 * b.mr + 3, 3 * b.nr + 5, 2 * b.kc + 7),
        (b.mr + 3, P.unpackedBMaxElements / 64 - 5, 64), (b.mr + 3, P.unpackedBMaxElements / 64 + 5, 64),
        (b.mr + 3, b.nr + 5, 2 * P.splitKDepth + 13), (2, 3, 4 * P.splitKDepth + 1),
        (3, 5, (P.splitKMaxChunks + 7) * P.splitKDepth + 3),
        (b.mc + 1, b.nr + 3, 17), (9, b.nc + 7, 13),
        (37, 101, 53), (300, 67, 290), (61, 300, 301),
        // A packed B block over the row-band limit even when 2 threads split the columns: BLIS's
        // loop order (the smaller shapes above take the row-band order).
        (2 * b.mr + 3, 2 * (P.rowBandMaxBElements / b.kc) + 3 * b.nr + 5, b.kc),
    ]
}
