import ConvKit
import ConvKitReference
import Testing

/// Tests of `Sources/ConvKit/GEMM`: SGEMM against the reference for every kernel in the registry.
@Suite("GEMM")
struct GEMMTests {
    static let kernels = KernelTable.available.flatMap(\.gemm)
    static let transposes: [(Transpose, Transpose)] = [
        (.noTranspose, .noTranspose), (.noTranspose, .transpose), (.transpose, .noTranspose), (.transpose, .transpose),
    ]

    @Test("every transpose pair and boundary shape matches the reference", arguments: kernels)
    func boundaryShapesMatchReference(kernel: GEMMMicrokernel) throws {
        let context = try ExecutionContext(threads: 2, gemmKernel: kernel)
        for (transA, transB) in GEMMTests.transposes {
            for shape in boundaryShapes(for: kernel) {
                try checkAgainstReference(
                    GEMMCase(transA: transA, transB: transB, m: shape.m, n: shape.n, k: shape.k), context: context)
            }
        }
    }

    @Test("alpha and beta, including 0, 1 and negative values", arguments: kernels)
    func alphaBeta(kernel: GEMMMicrokernel) throws {
        let context = try ExecutionContext(threads: 1, gemmKernel: kernel)
        for (transA, transB) in GEMMTests.transposes {
            for (alpha, beta) in [(Float(1), Float(1)), (2.5, -0.5), (-1, 0), (0.5, 1), (1, 3)] {
                try checkAgainstReference(
                    GEMMCase(
                        transA: transA, transB: transB, m: 23, n: 45, k: 300,
                        alpha: alpha, beta: beta), context: context)
            }
        }
    }

    @Test("leading dimensions larger than the rows; padding is neither read nor written", arguments: kernels)
    func leadingDimensions(kernel: GEMMMicrokernel) throws {
        let context = try ExecutionContext(threads: 2, gemmKernel: kernel)
        for (transA, transB) in GEMMTests.transposes {
            for shape in [(m: 3, n: 5, k: 7), (m: kernel.mr + 2, n: kernel.nr + 3, k: 40), (m: 70, n: 90, k: 260)] {
                try checkAgainstReference(
                    GEMMCase(
                        transA: transA, transB: transB, m: shape.m, n: shape.n, k: shape.k,
                        alpha: 1.5, beta: 0.5, padA: 3, padB: 17, padC: 5), context: context)
            }
        }
    }

    @Test("beta == 0 does not read C: NaN in C does not leak", arguments: kernels)
    func betaZeroIgnoresNaN(kernel: GEMMMicrokernel) throws {
        let context = try ExecutionContext(threads: 2, gemmKernel: kernel)
        for (transA, transB) in GEMMTests.transposes {
            for shape in [(m: 1, n: 1, k: 1), (m: 29, n: 70, k: 300), (m: kernel.mr - 1, n: kernel.nr + 1, k: 5)] {
                try checkAgainstReference(
                    GEMMCase(
                        transA: transA, transB: transB, m: shape.m, n: shape.n, k: shape.k,
                        alpha: 1, beta: 0, padC: 2), context: context, cFill: .nan)
            }
        }
    }

    @Test("a large B read in place for few rows of C: the same bits as packed, and the reference's values", arguments: kernels)
    func fewRowsReadBInPlace(kernel: GEMMMicrokernel) throws {
        let P = DocumentedGEMMPolicy.self
        let context = try ExecutionContext(threads: 2, gemmKernel: kernel)
        // k * n at the limit (read in place for m <= unpackedBMaxRows) and just past it (packed), and
        // narrower C's whose A is read in place too (up to 256 columns) or packed (257-512); k below
        // split-K's threshold, which would cut the two calls differently.
        let k = 2 * P.splitKDepth - 24
        for n in [P.unpackedBFewRowsMaxElements / k, P.unpackedBFewRowsMaxElements / k + 1, 200, 400] {
            for transA in [Transpose.noTranspose, .transpose] {
                let m = P.unpackedBMaxRows
                let lda = transA == .noTranspose ? k : m + 1
                let a = makeOperand(
                    rows: transA == .noTranspose ? m + 1 : k, columns: transA == .noTranspose ? k : m + 1,
                    ld: lda, padding: 0, seed: 31)
                let bOperand = makeOperand(rows: k, columns: n, ld: n, padding: 0, seed: 32)
                // m rows (in place when k * n is at the limit) and m + 1 rows (always packed):
                // each C element is the same FMA chain, so the first m rows agree bitwise.
                var few = [Float](repeating: .nan, count: m * n), more = [Float](repeating: .nan, count: (m + 1) * n)
                try GEMM.sgemm(
                    transA, .noTranspose, m: m, n: n, k: k, alpha: 1.5, a: a, lda: lda, b: bOperand, ldb: n,
                    beta: 0, c: &few, ldc: n, context: context)
                try GEMM.sgemm(
                    transA, .noTranspose, m: m + 1, n: n, k: k, alpha: 1.5, a: a, lda: lda, b: bOperand, ldb: n,
                    beta: 0, c: &more, ldc: n, context: context)
                let differing = zip(few, more.prefix(m * n)).filter { $0.bitPattern != $1.bitPattern }.count
                #expect(differing == 0, "\(kernel.name) \(transA) \(m)x\(n)x\(k): \(differing) elements differ from the packed run")
                // Sampled elements against a Double dot product.
                for (i, j) in [(0, 0), (m - 1, n - 1), (m / 2, n / 3), (m - 1, 0), (7 % m, n - 2)] {
                    var sum = 0.0
                    for p in 0..<k {
                        let aip = transA == .noTranspose ? a[i * lda + p] : a[p * lda + i]
                        sum += Double(aip) * Double(bOperand[p * n + j])
                    }
                    let expected = 1.5 * sum
                    #expect(
                        abs(Double(few[i * n + j]) - expected) <= gemmTolerance(k: k) * Double(k),
                        "\(kernel.name) \(transA): C[\(i)][\(j)] = \(few[i * n + j]), expected \(expected)")
                }
            }
        }
    }

    @Test("alpha == 0 or k == 0 only scales C and does not read A or B")
    func alphaZeroScalesOnly() throws {
        for kernel in GEMMTests.kernels {
            let context = try ExecutionContext(threads: 1, gemmKernel: kernel)
            for (alpha, k, beta) in [(Float(0), 8, Float(2)), (0, 8, 0), (1.5, 0, 2), (1, 0, 0)] {
                let a = [Float](repeating: .nan, count: 5 * 8)
                let b = [Float](repeating: .nan, count: 8 * 6)
                var c = (0..<30).map { Float($0) }
                try GEMM.sgemm(
                    .noTranspose, .noTranspose, m: 5, n: 6, k: k, alpha: alpha, a: a, lda: 8,
                    b: b, ldb: 6, beta: beta, c: &c, ldc: 6, context: context)
                #expect(c == (0..<30).map { Float($0) * beta }, "alpha \(alpha), k \(k), beta \(beta)")
            }
        }
    }

    @Test("results are bitwise identical for 1, 2, 3 and 4 threads", arguments: kernels)
    func deterministicAcrossThreadCounts(kernel: GEMMMicrokernel) throws {
        let shapes = [
            (m: 300, n: 301, k: 299), (m: 32, n: 6000, k: 27), (m: 64, n: 1500, k: 288),
            (m: 288, n: 1500, k: 64), (m: 64, n: 288, k: 3000),
            (m: 40, n: 700, k: 1000),
        ]  // BLIS's loop order on 1 thread, the row-band order on 4
        for (transA, transB) in GEMMTests.transposes {
            for s in shapes {
                let t = GEMMCase(transA: transA, transB: transB, m: s.m, n: s.n, k: s.k)
                let a = makeOperand(rows: t.aShape.rows, columns: t.aShape.columns, ld: t.lda, padding: 0, seed: 11)
                let b = makeOperand(rows: t.bShape.rows, columns: t.bShape.columns, ld: t.ldb, padding: 0, seed: 12)
                var results: [[Float]] = []
                for threads in 1...4 {
                    var c = [Float](repeating: 0, count: s.m * s.n)
                    try GEMM.sgemm(
                        transA, transB, m: s.m, n: s.n, k: s.k, alpha: 1, a: a, lda: t.lda, b: b, ldb: t.ldb,
                        beta: 0, c: &c, ldc: t.ldc,
                        context: try ExecutionContext(threads: threads, gemmKernel: kernel))
                    results.append(c)
                }
                for threads in 2...4 {
                    let differing = zip(results[threads - 1], results[0]).filter { $0.bitPattern != $1.bitPattern }.count
                    #expect(differing == 0, "\(t.testDescription): \(differing) elements differ between \(threads) threads and 1")
                }
            }
        }
    }

    @Test("a call inside a parallel region runs serially and stays correct")
    func nestedCallsRunSerially() throws {
        let context = try ExecutionContext(threads: 2)
        let t = GEMMCase(transA: .noTranspose, transB: .noTranspose, m: 200, n: 200, k: 200)
        let a = makeOperand(rows: 200, columns: 200, ld: 200, padding: 0, seed: 3)
        let b = makeOperand(rows: 200, columns: 200, ld: 200, padding: 0, seed: 4)
        var expected = [Float](repeating: 0, count: 200 * 200)
        try GEMM.sgemm(.noTranspose, .noTranspose, m: 200, n: 200, k: 200, a: a, b: b, c: &expected, context: context)
        let results = ResultSlots(count: 4)
        Parallel.forEach(4, threads: 2) { i in
            #expect(Parallel.isInsideParallelRegion)
            #expect(Parallel.availableThreads(8) == 1)
            var c = [Float](repeating: .nan, count: 200 * 200)
            try? GEMM.sgemm(t.transA, t.transB, m: 200, n: 200, k: 200, a: a, b: b, c: &c, context: context)
            results.store(i, c)
        }
        for i in 0..<4 { #expect(results.load(i) == expected) }
    }

    @Test("the Matrix API multiplies aligned storage")
    func matrixAPI() throws {
        let a = try Matrix(rows: 3, columns: 2, elements: [1, 2, 3, 4, 5, 6])
        let b = try Matrix(rows: 3, columns: 2, elements: [1, 0, 0, 1, 1, 1])
        var c = try Matrix(rows: 2, columns: 2)
        try GEMM.multiply(a, .transpose, b, .noTranspose, into: &c)
        let expected: [Float] = [6, 8, 8, 10]  // aᵀ = [[1, 3, 5], [2, 4, 6]]
        #expect(c.elements == expected)
        #expect(c.leadingDimension % 16 == 0)
        c.withUnsafePointer { #expect(UInt(bitPattern: $0) % 64 == 0) }
        var wrong = try Matrix(rows: 3, columns: 2)
        #expect(throws: ConvKitError.self) { try GEMM.multiply(a, .transpose, b, .noTranspose, into: &wrong) }
        #expect(throws: ConvKitError.self) { try GEMM.multiply(a, .noTranspose, b, .noTranspose, into: &c) }
    }

    @Test("invalid arguments throw an error naming the argument")
    func invalidArgumentsThrow() throws {
        let a = [Float](repeating: 1, count: 12), b = [Float](repeating: 1, count: 12)
        var c = [Float](repeating: 0, count: 12)
        func name(_ body: () throws -> Void) -> String? {
            do { try body() } catch let ConvKitError.invalidArgument(name, _) { return name } catch { return "other: \(error)" }
            return nil
        }
        #expect(name { try GEMM.sgemm(.noTranspose, .noTranspose, m: -1, n: 3, k: 4, a: a, b: b, c: &c) } == "m")
        #expect(name { try GEMM.sgemm(.noTranspose, .noTranspose, m: 3, n: -2, k: 4, a: a, b: b, c: &c) } == "n")
        #expect(name { try GEMM.sgemm(.noTranspose, .noTranspose, m: 3, n: 3, k: -4, a: a, b: b, c: &c) } == "k")
        #expect(name { try GEMM.sgemm(.noTranspose, .noTranspose, m: 3, n: 3, k: 4, a: a, lda: 3, b: b, c: &c) } == "lda")
        #expect(name { try GEMM.sgemm(.transpose, .noTranspose, m: 3, n: 3, k: 4, a: a, lda: 2, b: b, c: &c) } == "lda")
        #expect(name { try GEMM.sgemm(.noTranspose, .transpose, m: 3, n: 3, k: 4, a: a, b: b, ldb: 3, c: &c) } == "ldb")
        #expect(name { try GEMM.sgemm(.noTranspose, .noTranspose, m: 3, n: 3, k: 4, a: a, b: b, c: &c, ldc: 2) } == "ldc")
        #expect(name { try GEMM.sgemm(.noTranspose, .noTranspose, m: 4, n: 3, k: 4, a: a, b: b, c: &c) } == "a")
        #expect(name { try GEMM.sgemm(.noTranspose, .noTranspose, m: 3, n: 3, k: 5, a: a + a, b: b, c: &c) } == "b")
        #expect(name { try GEMM.sgemm(.noTranspose, .noTranspose, m: 3, n: 5, k: 2, a: a, b: b, c: &c) } == "c")
        #expect(
            name {
                try GEMM.sgemm(
                    .noTranspose, .noTranspose, m: 2, n: 2, k: 2, alpha: 1, a: nil, lda: 2, b: nil, ldb: 2,
                    beta: 0, c: nil, ldc: 2)
            } == "c")
        var out = [Float](repeating: 0, count: 4)
        #expect(
            name {
                try out.withUnsafeMutableBufferPointer { c in
                    try GEMM.sgemm(
                        .noTranspose, .noTranspose, m: 2, n: 2, k: 2, alpha: 1, a: nil, lda: 2, b: b, ldb: 2,
                        beta: 0, c: c.baseAddress, ldc: 2)
                }
            } == "a")
        #expect(name { try GEMM.sgemm(.noTranspose, .noTranspose, m: 0, n: 0, k: 0, a: [], b: [], c: &out) } == nil)
        #expect(throws: ConvKitError.self) { try ExecutionContext(threads: 0) }
    }
}

/// Per-iteration result slots written from a parallel region (each slot by one iteration only).
final class ResultSlots: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<[Float]>
    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: [])
    }
    deinit {
        slots.deinitialize()
        slots.deallocate()
    }
    func store(_ i: Int, _ value: [Float]) { slots[i] = value }
    func load(_ i: Int) -> [Float] { slots[i] }
}
