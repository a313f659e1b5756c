internal import ConvKitKernels

/// The one list of f32 GEMM microkernels, fastest first and always ending in the portable one.
/// Tests and benchmarks iterate it; ``kernel(for:rows:)`` picks the one a GEMM runs.
public enum GEMMKernelRegistry {
    /// Every microkernel this build contains, fastest ISA first, the portable kernel last. Within
    /// an ISA the first kernel is its primary tile; the others share its NR and serve row counts
    /// the primary's MR divides badly (``kernel(for:rows:)``).
    public static let all: [GEMMMicrokernel] = {
        var kernels: [GEMMMicrokernel] = []
        #if arch(x86_64)
        kernels.append(GEMMMicrokernel(
            symbol: "f32_gemm_14x32__avx512", isa: .avx512,
            blocking: GEMMBlocking(mr: 14, nr: 32, mc: 168, kc: 512, nc: 1024, unpackedBMaxElements: 16 * 1024,
                                   splitKMaxC: 64 * 1024, splitKDepth: 512),
            peakFlopsPerIteration: 24 * 16 * 2,
            function: f32_gemm_14x32__avx512, rowMajorAFunction: nil, peakFunction: f32_fma_peak__avx512,
            packA: ck_f32_pack_a__avx2, packB: ck_f32_pack_b__avx2))
        kernels.append(GEMMMicrokernel(
            symbol: "f32_gemm_8x32__avx512", isa: .avx512,
            blocking: GEMMBlocking(mr: 8, nr: 32, mc: 168, kc: 512, nc: 1024, unpackedBMaxElements: 16 * 1024,
                                   splitKMaxC: 64 * 1024, splitKDepth: 512),
            peakFlopsPerIteration: 24 * 16 * 2,
            function: f32_gemm_8x32__avx512, rowMajorAFunction: f32_gemm_arow_8x32__avx512, peakFunction: f32_fma_peak__avx512,
            packA: ck_f32_pack_a__avx2, packB: ck_f32_pack_b__avx2))
        kernels.append(GEMMMicrokernel(
            symbol: "f32_gemm_6x16__avx2", isa: .avx2,
            blocking: GEMMBlocking(mr: 6, nr: 16, mc: 144, kc: 256, nc: 2048, unpackedBMaxElements: 16 * 1024,
                                   splitKMaxC: 64 * 1024, splitKDepth: 512),
            peakFlopsPerIteration: 12 * 8 * 2,
            function: f32_gemm_6x16__avx2, rowMajorAFunction: f32_gemm_arow_6x16__avx2, peakFunction: f32_fma_peak__avx2,
            packA: ck_f32_pack_a__avx2, packB: ck_f32_pack_b__avx2))
        #endif
        kernels.append(GEMMMicrokernel(
            symbol: "f32_gemm_4x8__vec128", isa: .generic,
            blocking: GEMMBlocking(mr: 4, nr: 8, mc: 128, kc: 256, nc: 1024, unpackedBMaxElements: 16 * 1024,
                                   splitKMaxC: 64 * 1024, splitKDepth: 512),
            peakFlopsPerIteration: 12 * 4 * 2,
            function: f32_gemm_4x8__vec128, rowMajorAFunction: f32_gemm_arow_4x8__vec128, peakFunction: f32_fma_peak__vec128,
            packA: ck_f32_pack_a__generic, packB: ck_f32_pack_b__generic))
        return kernels
    }()

    /// The microkernels this machine can run, fastest first.
    public static let available: [GEMMMicrokernel] = all.filter { $0.isa.isSupported }

    /// The kernel chosen for each ISA, indexed by `ISA.allCases` order (computed once).
    private static let chosen: [GEMMMicrokernel] = ISA.allCases.map { isa in
        available.first { $0.isa <= isa } ?? all[all.count - 1]
    }

    /// How much better another tile of the same ISA must use the rows of C than the primary tile
    /// (`m / (ceil(m / MR) * MR)`) to be chosen instead: the primary's taller tile reads B fewer
    /// times per FLOP, which is worth some padding. With 10%, `m = 32` (76% of three 14-row tiles)
    /// takes the 8x32 tile and `m = 64` (91%) keeps 14x32: 8x32 is faster on the 32-row
    /// backward-weights GEMM and no faster on the 64-row forward GEMMs
    /// (`convbench gemm --no-square --kernel ...` compares pinned tiles).
    public static let rowFitGain = 1.10

    /// The microkernel for a GEMM whose C has `m` rows: among the kernels of the ISA that
    /// ``kernel(for:)`` picks, the primary unless another one's row tiles waste clearly fewer rows
    /// (``rowFitGain``). Depends on `m` and the ISA only, never on the thread count; kernels of one
    /// ISA give the same bits (each C element is the same chain of FMAs).
    public static func kernel(for isa: ISA, rows m: Int) -> GEMMMicrokernel {
        let candidates = tiles[isa.rank]
        let primary = candidates[0]
        guard m > 0, candidates.count > 1 else { return primary }
        func use(_ k: GEMMMicrokernel) -> Double { Double(m) / Double(ceilDiv(m, k.mr) * k.mr) }
        var best = primary
        for k in candidates.dropFirst() where use(k) >= use(primary) * rowFitGain && use(k) > use(best) { best = k }
        return best
    }

    /// For each ISA level (``ISA/allCases`` order), its primary kernel and the other available
    /// kernels of the primary's ISA and NR: the candidates of ``kernel(for:rows:)``.
    private static let tiles: [[GEMMMicrokernel]] = ISA.allCases.map { isa in
        let primary = kernel(for: isa)
        return [primary] + available.filter { $0.isa == primary.isa && $0.nr == primary.nr && $0 != primary }
    }

    /// Largest column count of C for which a GEMM with a row-major op(A) (no transpose of A) reads
    /// A in place through a kernel's "arow" variant instead of packing it: with few NR panels to
    /// share a packed A block, its transposing copy costs more than it saves. The gain shrinks
    /// with the column count and is gone at 1536-2048 columns (`convbench gemm --sizes ...` marks
    /// rows that read A in place with "A").
    public static let rowMajorAMaxColumns = 1024

    /// Whether `kernel` may read A in place for a GEMM of `n` columns whose op(A) is row-major.
    static func readsAInPlace(_ kernel: GEMMMicrokernel, n: Int, aRowMajor: Bool) -> Bool {
        aRowMajor && n <= rowMajorAMaxColumns && kernel.readsRowMajorAInPlace
    }

    /// Whether an `m x n x k` SGEMM run with `kernel` reads A in place through its row-major-A
    /// variant (no A packing): op(A) row-major, at most ``rowMajorAMaxColumns`` columns, and at most
    /// 256 when a large B is read in place too. For benchmarks and tools that report the path taken.
    public static func readsAInPlace(_ kernel: GEMMMicrokernel, m: Int, n: Int, k: Int,
                                     aRowMajor: Bool, bRowMajor: Bool) -> Bool {
        let depth = SplitK(m: m, n: n, k: k, blocking: kernel.blocking)?.depth ?? k
        return GEMMPlan(m: m, n: n, k: min(k, depth), aRowMajor: aRowMajor, bIsRowMajor: bRowMajor,
                        kernel: kernel, threads: 1).rowMajorA
    }

    /// The microkernel for a GEMM with `m x n` C whose op(A) is row-major or not: when A is read in
    /// place (``rowMajorAMaxColumns``), the ISA's kernel with that variant (the 8x32 tile under
    /// AVX-512); otherwise ``kernel(for:rows:)``. A function of the shape only.
    public static func kernel(for isa: ISA, m: Int, n: Int, aRowMajor: Bool) -> GEMMMicrokernel {
        if aRowMajor && n <= rowMajorAMaxColumns, let k = tiles[isa.rank].first(where: \.readsRowMajorAInPlace) {
            return k
        }
        return kernel(for: isa, rows: m)
    }

    /// The primary microkernel of the fastest ISA that is at most `isa` and supported here.
    public static func kernel(for isa: ISA) -> GEMMMicrokernel {
        switch isa {
        case .generic: return chosen[0]
        case .avx2: return chosen[1]
        case .avx512: return chosen[2]
        }
    }
}
