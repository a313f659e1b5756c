import ConvKit
import Testing

/// Tests of `Sources/ConvKit/GEMM/GEMMKernelRegistry.swift`.
@Suite("GEMMKernelRegistry")
struct GEMMKernelRegistryTests {
    @Test("kernels are ordered fastest ISA first and end in the portable kernel")
    func ordering() {
        let all = GEMMKernelRegistry.all
        #expect(all.last?.isa == .generic)
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.isa >= $1.isa })
        #expect(Set(all.map(\.name)).count == all.count)
        #if arch(x86_64)
        #expect(all.map(\.name) == ["f32_gemm_14x32__avx512", "f32_gemm_8x32__avx512", "f32_gemm_6x16__avx2",
                                     "f32_gemm_4x8__vec128"])
        #endif
        // Each ISA's primary is its first kernel.
        for isa in ISA.supported {
            #expect(GEMMKernelRegistry.kernel(for: isa) == GEMMKernelRegistry.available.first { $0.isa <= isa })
        }
    }

    @Test("a narrow C with a row-major op(A) runs the ISA's row-major-A kernel; otherwise the row fit decides")
    func rowMajorAChoice() {
        for isa in ISA.supported {
            let inPlace = GEMMKernelRegistry.available.first { $0.isa == GEMMKernelRegistry.kernel(for: isa).isa && $0.readsRowMajorAInPlace }
            for (m, n) in [(64, 64), (1, 1), (500, GEMMKernelRegistry.rowMajorAMaxColumns), (32, GEMMKernelRegistry.rowMajorAMaxColumns + 1)] {
                let narrow = GEMMKernelRegistry.kernel(for: isa, m: m, n: n, aRowMajor: true)
                let transposed = GEMMKernelRegistry.kernel(for: isa, m: m, n: n, aRowMajor: false)
                #expect(transposed == GEMMKernelRegistry.kernel(for: isa, rows: m))
                if n <= GEMMKernelRegistry.rowMajorAMaxColumns, let inPlace {
                    #expect(narrow == inPlace, "\(isa) \(m)x\(n): \(narrow.name)")
                } else {
                    #expect(narrow == GEMMKernelRegistry.kernel(for: isa, rows: m), "\(isa) \(m)x\(n): \(narrow.name)")
                }
            }
        }
    }

    @Test("readsAInPlace reports the path the five loops take: a row-major A, a narrow C, and no large B in place beyond 256 columns")
    func readsAInPlaceReportsThePath() {
        for kernel in GEMMKernelRegistry.available {
            let can = kernel.readsRowMajorAInPlace
            func reads(_ m: Int, _ n: Int, _ k: Int, a: Bool = true, b: Bool = true) -> Bool {
                GEMMKernelRegistry.readsAInPlace(kernel, m: m, n: n, k: k, aRowMajor: a, bRowMajor: b)
            }
            #expect(reads(64, 64, 64) == can, "\(kernel.name)")
            #expect(!reads(64, 64, 64, a: false), "\(kernel.name): a transposed A is packed")
            #expect(!reads(64, GEMMKernelRegistry.rowMajorAMaxColumns + 1, 64), "\(kernel.name): a wide C packs A")
            // 64 x 1024 x 576: B (2.3 MB) is read in place for so few rows, so A is packed...
            #expect(!reads(64, 1024, 576), "\(kernel.name)")
            // ...unless C has at most 256 columns, or B is transposed (then packed).
            #expect(reads(64, 256, 2048) == can, "\(kernel.name)")
            #expect(reads(64, 1024, 576, b: false) == can, "\(kernel.name)")
        }
    }

    @Test("the row count picks the tile of the ISA that wastes clearly fewer rows, else the primary")
    func rowFit() throws {
        for isa in ISA.supported {
            let primary = GEMMKernelRegistry.kernel(for: isa)
            #expect(GEMMKernelRegistry.kernel(for: isa, rows: 0) == primary)
            func use(_ k: GEMMMicrokernel, _ m: Int) -> Double { Double(m) / Double((m + k.mr - 1) / k.mr * k.mr) }
            for m in 1...400 {
                let chosen = GEMMKernelRegistry.kernel(for: isa, rows: m)
                #expect(chosen.isa == primary.isa && chosen.nr == primary.nr, "m \(m): \(chosen.name)")
                if chosen != primary {
                    #expect(use(chosen, m) >= use(primary, m) * GEMMKernelRegistry.rowFitGain, "m \(m): \(chosen.name)")
                }
                for other in GEMMKernelRegistry.available where other.isa == primary.isa && other.nr == primary.nr {
                    if use(other, m) >= use(primary, m) * GEMMKernelRegistry.rowFitGain {
                        #expect(use(chosen, m) >= use(other, m), "m \(m): \(chosen.name) over \(other.name)")
                    }
                }
            }
        }
        #if arch(x86_64)
        if ISA.avx512.isSupported {
            let name = { (m: Int) in GEMMKernelRegistry.kernel(for: .avx512, rows: m).name }
            #expect(name(32) == "f32_gemm_8x32__avx512" && name(16) == "f32_gemm_8x32__avx512" && name(7) == "f32_gemm_8x32__avx512")
            #expect(name(64) == "f32_gemm_14x32__avx512" && name(28) == "f32_gemm_14x32__avx512" && name(27) == "f32_gemm_14x32__avx512")
        }
        #endif
    }

    @Test("kernels of one ISA share the blocking that decides the arithmetic, so they give the same bits")
    func sameISASameBits() throws {
        for isa in ISA.supported {
            let kernels = GEMMKernelRegistry.available.filter { $0.isa == isa }
            let first = kernels[0].blocking
            for kernel in kernels.dropFirst() {
                let b = kernel.blocking
                #expect(b.nr == first.nr && b.kc == first.kc && b.unpackedBMaxElements == first.unpackedBMaxElements
                        && b.unpackedBMaxRows == first.unpackedBMaxRows && b.unpackedBFewRowsMaxElements == first.unpackedBFewRowsMaxElements
                        && b.splitKMaxC == first.splitKMaxC && b.splitKDepth == first.splitKDepth
                        && b.splitKMaxChunks == first.splitKMaxChunks, "\(kernel.name)")
            }
            guard kernels.count > 1 else { continue }
            // Row counts each tile splits differently; deep K crosses KC blocks and split-K.
            for (m, n, k) in [(32, 300, 700), (64, 75, 1100), (23, 40, 5000), (100, 70, 30)] {
                let a = makeOperand(rows: m, columns: k, ld: k, padding: 0, seed: 21)
                let b = makeOperand(rows: k, columns: n, ld: n, padding: 0, seed: 22)
                var results: [[Float]] = []
                for kernel in kernels {
                    var c = [Float](repeating: 0, count: m * n)
                    try GEMM.sgemm(.noTranspose, .noTranspose, m: m, n: n, k: k, a: a, b: b, c: &c,
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

    @Test("names say dtype, op, tile and ISA; blocking sizes are consistent", arguments: GEMMKernelRegistry.all)
    func namesAndBlocking(kernel: GEMMMicrokernel) {
        #expect(kernel.name.hasPrefix("f32_gemm_\(kernel.mr)x\(kernel.nr)__"))
        let b = kernel.blocking
        #expect(b.mc % b.mr == 0 && b.nc % b.nr == 0 && b.kc > 0)
    }

    @Test("each available kernel's FMA loop runs and reports its work", arguments: GEMMKernelRegistry.available)
    func peakLoopRuns(kernel: GEMMMicrokernel) {
        #expect(kernel.runPeakLoop(iterations: 1000) > 0)
    }

    @Test("runTile follows the contract for every row count and edge column counts; beta == 0 ignores NaN; nothing outside m x n is touched",
          arguments: GEMMKernelRegistry.available)
    func runTileContract(kernel: GEMMMicrokernel) {
        // A packed micro-panel: k steps of mr floats.
        checkTileContract(kernel, variant: "packed", aCount: 7 * kernel.mr, k: 7, aIndex: { i, p in p * kernel.mr + i }) {
            m, n, k, a, b, c, ldc, beta in
            kernel.runTile(m: m, n: n, k: k, a: a, aStride: kernel.mr, b: b, bStride: kernel.nr, c: c, ldc: ldc,
                           alpha: 1.5, beta: beta)
        }
    }

    @Test("the row-major-A variant follows the same contract with A read in place",
          arguments: GEMMKernelRegistry.available.filter(\.readsRowMajorAInPlace))
    func rowMajorATileContract(kernel: GEMMMicrokernel) {
        // mr rows of k floats, lda = k + 3 apart.
        let k = 9, lda = k + 3
        checkTileContract(kernel, variant: "arow", aCount: kernel.mr * lda, k: k, aIndex: { i, p in i * lda + p }) {
            m, n, k, a, b, c, ldc, beta in
            kernel.runTileRowMajorA(m: m, n: n, k: k, a: a, lda: lda, b: b, bStride: kernel.nr, c: c, ldc: ldc,
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
                                #expect(abs(Double(value) - expected) <= 1e-5 * max(1, abs(expected)),
                                        "\(kernel.name) \(variant) m \(m) n \(n) beta \(beta): C[\(i)][\(j)] = \(value), expected \(expected)")
                            } else {
                                #expect(value.isNaN == (beta == 0) && (beta == 0 || value == 2),
                                        "\(kernel.name) \(variant) m \(m) n \(n): C[\(i)][\(j)] outside the tile changed to \(value)")
                            }
                        }
                    }
                }
            }
        }
    }
}
