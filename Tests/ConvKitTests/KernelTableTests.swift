import ConvKit
import Testing

/// Tests of `Sources/ConvKit/Kernels/KernelTable*.swift` and the tile choice of
/// `Sources/ConvKit/GEMM/GEMMPlan.swift`, through the public API (tables, `GEMM.describe`).
@Suite("Kernel tables")
struct KernelTableTests {
    @Test("tables are ordered fastest ISA first, end in the portable one, and hold kernels of their own ISA")
    func ordering() {
        let all = KernelTable.all
        #expect(all.last?.isa == .generic)
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.isa > $1.isa })
        let gemm = KernelTable.allGEMMKernels
        #expect(Set(gemm.map(\.name)).count == gemm.count)
        #if arch(x86_64)
        #expect(
            gemm.map(\.name) == [
                "ck_f32_gemm_14x32__avx512", "ck_f32_gemm_8x32__avx512", "ck_f32_gemm_6x16__avx2",
                "ck_f32_gemm_4x8__generic",
            ])
        #endif
        for table in all {
            #expect(table.gemm.allSatisfy { $0.isa == table.isa && $0.nr == table.primaryGEMM.nr }, "\(table)")
            #expect(table.convolution.isa == table.isa, "\(table)")
        }
        // resolve picks the fastest supported table at most the requested ISA.
        for isa in ISA.allCases {
            #expect(KernelTable.resolve(isa) == KernelTable.available.first { $0.isa <= isa })
        }
    }

    /// The plan of an `m x n x k` GEMM on `table` (1 thread).
    static func plan(
        _ table: KernelTable, _ m: Int, _ n: Int, _ k: Int, a: Transpose = .noTranspose,
        b: Transpose = .noTranspose
    ) throws -> GEMMPlanSummary {
        try GEMM.describe(a, b, m: m, n: n, k: k, context: ExecutionContext(threads: 1, isa: table.isa))
    }

    @Test("a narrow C (at most 1024 columns) with a row-major op(A) runs the table's row-major-A tile; otherwise the row fit decides")
    func rowMajorAChoice() throws {
        for table in KernelTable.available {
            let inPlace = table.gemm.first { $0.readsRowMajorAInPlace }
            for (m, n) in [(64, 64), (1, 1), (500, 1024), (32, 1025)] {
                let narrow = try Self.plan(table, m, n, 8).kernel
                let transposed = try Self.plan(table, m, n, 8, a: .transpose).kernel
                if n <= 1024, let inPlace {
                    #expect(narrow == inPlace, "\(table.isa) \(m)x\(n): \(narrow.name)")
                } else {
                    #expect(narrow == transposed, "\(table.isa) \(m)x\(n): \(narrow.name)")
                }
            }
        }
    }

    @Test("describe reports the path the five loops take: A in place for a row-major A and a narrow C, not beyond 256 columns with a large B in place")
    func readsAInPlaceReportsThePath() throws {
        for table in KernelTable.available {
            let can = table.gemm.contains { $0.readsRowMajorAInPlace }
            func reads(_ m: Int, _ n: Int, _ k: Int, a: Transpose = .noTranspose, b: Transpose = .noTranspose) throws -> Bool {
                try Self.plan(table, m, n, k, a: a, b: b).readsAInPlace
            }
            #expect(try reads(64, 64, 64) == can, "\(table.isa)")
            #expect(try !reads(64, 64, 64, a: .transpose), "\(table.isa): a transposed A is packed")
            #expect(try !reads(64, 1025, 64), "\(table.isa): a wide C packs A")
            // 64 x 1024 x 576: B (2.3 MB) is read in place for so few rows, so A is packed...
            // 64 x 1024 x 576: under AVX-512 (the only table that reads a large B in place for few
            // rows) B (2.3 MB) is read in place, so A is packed; elsewhere B is packed and A in place.
            let fewRowsB = table.isa == .avx512
            #expect(try reads(64, 1024, 576) == (can && !fewRowsB), "\(table.isa)")
            #expect(try Self.plan(table, 64, 1024, 576).readsBInPlace == fewRowsB, "\(table.isa)")
            // ...unless C has at most 256 columns, or B is transposed (then packed).
            #expect(try reads(64, 256, 2048) == can, "\(table.isa)")
            #expect(try reads(64, 1024, 576, b: .transpose) == can, "\(table.isa)")
            // Split-K for a small C and a deep K; the row-band order for a small K.
            #expect(try Self.plan(table, 32, 27, 57600, b: .transpose).splitKChunks > 1)
            #expect(try Self.plan(table, 288, 10816, 64, a: .transpose).rowBandOrder)
            #expect(try !Self.plan(table, 1024, 1024, 1024).rowBandOrder)
        }
    }

    @Test("the documented policy limits are where the plan switches (B in place, few rows, split-K)")
    func documentedLimits() throws {
        let P = DocumentedGEMMPolicy.self
        for table in KernelTable.available {
            #expect(try Self.plan(table, 300, P.unpackedBMaxElements / 64, 64).readsBInPlace)
            #expect(try !Self.plan(table, 300, P.unpackedBMaxElements / 64 + 1, 64).readsBInPlace)
            let k = 1000
            #expect(try Self.plan(table, P.unpackedBMaxRows, P.unpackedBFewRowsMaxElements / k, k).readsBInPlace == (table.isa == .avx512))
            #expect(try !Self.plan(table, P.unpackedBMaxRows, P.unpackedBFewRowsMaxElements / k + 1, k).readsBInPlace)
            #expect(try !Self.plan(table, P.unpackedBMaxRows + 1, P.unpackedBFewRowsMaxElements / k, k).readsBInPlace)
            #expect(try Self.plan(table, 8, 8, 2 * P.splitKDepth).splitKChunks == 2)
            #expect(try Self.plan(table, 8, 8, 2 * P.splitKDepth - 1).splitKChunks == 1)
            #expect(try Self.plan(table, 8, 8, 1000 * P.splitKDepth).splitKChunks == P.splitKMaxChunks)
        }
    }

    @Test("the row count picks the tile of the table that uses C's rows at least 10% better, else the primary")
    func rowFit() throws {
        for table in KernelTable.available {
            let primary = table.primaryGEMM
            func use(_ k: GEMMMicrokernel, _ m: Int) -> Double { Double(m) / Double((m + k.mr - 1) / k.mr * k.mr) }
            for m in 1...400 {
                let chosen = try Self.plan(table, m, 2000, 8, a: .transpose).kernel
                #expect(table.gemm.contains(chosen), "m \(m): \(chosen.name)")
                if chosen != primary {
                    #expect(use(chosen, m) >= use(primary, m) * 1.10, "m \(m): \(chosen.name)")
                }
                for other in table.gemm where use(other, m) >= use(primary, m) * 1.10 {
                    #expect(use(chosen, m) >= use(other, m), "m \(m): \(chosen.name) over \(other.name)")
                }
            }
        }
        #if arch(x86_64)
        if ISA.avx512.isSupported {
            let name = { (m: Int) in try Self.plan(KernelTable.resolve(.avx512), m, 2000, 8, a: .transpose).kernel.name }
            #expect(try name(32) == "ck_f32_gemm_8x32__avx512" && name(16) == "ck_f32_gemm_8x32__avx512" && name(7) == "ck_f32_gemm_8x32__avx512")
            #expect(try name(64) == "ck_f32_gemm_14x32__avx512" && name(28) == "ck_f32_gemm_14x32__avx512" && name(27) == "ck_f32_gemm_14x32__avx512")
        }
        #endif
    }

    @Test("tiles of one table share the blocking that decides the arithmetic, so they give the same bits")
    func sameISASameBits() throws {
        for table in KernelTable.available {
            let kernels = table.gemm
            let first = kernels[0].blocking
            for kernel in kernels.dropFirst() {
                #expect(kernel.blocking.nr == first.nr && kernel.blocking.kc == first.kc, "\(kernel.name)")
            }
            guard kernels.count > 1 else { continue }
            // Row counts each tile splits differently; deep K crosses KC blocks and split-K.
            for (m, n, k) in [(32, 300, 700), (64, 75, 1100), (23, 40, 5000), (100, 70, 30)] {
                let a = makeOperand(rows: m, columns: k, ld: k, padding: 0, seed: 21)
                let b = makeOperand(rows: k, columns: n, ld: n, padding: 0, seed: 22)
                var results: [[Float]] = []
                for kernel in kernels {
                    var c = [Float](repeating: 0, count: m * n)
                    try GEMM.sgemm(
                        .noTranspose, .noTranspose, m: m, n: n, k: k, a: a, b: b, c: &c,
                        context: try ExecutionContext(threads: 2, gemmKernel: kernel))
                    results.append(c)
                }
                for (kernel, c) in zip(kernels.dropFirst(), results.dropFirst()) {
                    let differing = zip(c, results[0]).filter { $0.bitPattern != $1.bitPattern }.count
                    #expect(differing == 0, "\(m)x\(n)x\(k): \(kernel.name) differs from \(kernels[0].name) in \(differing) elements")
                }
            }
        }
    }

    @Test("names say dtype, op, tile and ISA; blocking sizes are consistent", arguments: KernelTable.allGEMMKernels)
    func namesAndBlocking(kernel: GEMMMicrokernel) {
        #expect(kernel.name.hasPrefix("ck_f32_gemm_\(kernel.mr)x\(kernel.nr)__"))
        let b = kernel.blocking
        #expect(b.mc % b.mr == 0 && b.nc % b.nr == 0 && b.kc > 0)
    }

    @Test(
        "runTile follows the contract for every row count and edge column counts; beta == 0 ignores NaN; nothing outside m x n is touched",
        arguments: KernelTable.available.flatMap(\.gemm))
    func runTileContract(kernel: GEMMMicrokernel) {
        // A packed micro-panel: k steps of mr floats.
        checkTileContract(kernel, variant: "packed", aCount: 7 * kernel.mr, k: 7, aIndex: { i, p in p * kernel.mr + i }) {
            m, n, k, a, b, c, ldc, beta in
            kernel.runTile(
                m: m, n: n, k: k, a: a, aStride: kernel.mr, b: b, bStride: kernel.nr, c: c, ldc: ldc,
                alpha: 1.5, beta: beta)
        }
    }

    @Test(
        "the row-major-A variant follows the same contract with A read in place",
        arguments: KernelTable.available.flatMap(\.gemm).filter(\.readsRowMajorAInPlace))
    func rowMajorATileContract(kernel: GEMMMicrokernel) {
        // mr rows of k floats, lda = k + 3 apart.
        let k = 9, lda = k + 3
        checkTileContract(kernel, variant: "arow", aCount: kernel.mr * lda, k: k, aIndex: { i, p in i * lda + p }) {
            m, n, k, a, b, c, ldc, beta in
            kernel.runTileRowMajorA(
                m: m, n: n, k: k, a: a, lda: lda, b: b, bStride: kernel.nr, c: c, ldc: ldc,
                alpha: 1.5, beta: beta)
        }
    }

    /// Runs `run` (one tile with alpha 1.5) for every row count, edge column counts and beta 0 / 0.5
    /// on random A (`aCount` floats, element (i, p) at `aIndex(i, p)`) and B (k x nr), and checks C
    /// against a Double sum, NaN in C not leaking with beta 0, and nothing outside the tile written.
    private func checkTileContract(
        _ kernel: GEMMMicrokernel, variant: String, aCount: Int, k: Int, aIndex: (Int, Int) -> Int,
        run: (Int, Int, Int, UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int, Float) -> Void
    ) {
        let ldc = kernel.nr + 3
        var generator = TestGenerator(seed: 5)
        let a = (0..<aCount).map { _ in Float.random(in: -1...1, using: &generator) }
        let b = (0..<(k * kernel.nr)).map { _ in Float.random(in: -1...1, using: &generator) }
        for m in 1...kernel.mr {
            for n in Set([1, 2, kernel.nr / 2, kernel.nr / 2 + 1, kernel.nr - 1, kernel.nr]) {
                for beta in [Float(0), 0.5] {
                    var c = [Float](repeating: beta == 0 ? .nan : 2, count: (kernel.mr + 1) * ldc)
                    a.withUnsafeBufferPointer { pa in
                        b.withUnsafeBufferPointer { pb in
                            c.withUnsafeMutableBufferPointer { pc in
                                run(m, n, k, pa.baseAddress!, pb.baseAddress!, pc.baseAddress!, ldc, beta)
                            }
                        }
                    }
                    for i in 0...kernel.mr {
                        for j in 0..<ldc {
                            let value = c[i * ldc + j]
                            if i < m && j < n {
                                var sum = 0.0
                                for p in 0..<k { sum += Double(a[aIndex(i, p)]) * Double(b[p * kernel.nr + j]) }
                                let expected = 1.5 * sum + (beta == 0 ? 0 : Double(beta) * 2)
                                #expect(
                                    abs(Double(value) - expected) <= 1e-5 * max(1, abs(expected)),
                                    "\(kernel.name) \(variant) m \(m) n \(n) beta \(beta): C[\(i)][\(j)] = \(value), expected \(expected)")
                            } else {
                                #expect(
                                    value.isNaN == (beta == 0) && (beta == 0 || value == 2),
                                    "\(kernel.name) \(variant) m \(m) n \(n): C[\(i)][\(j)] outside the tile changed to \(value)")
                            }
                        }
                    }
                }
            }
        }
    }
}
