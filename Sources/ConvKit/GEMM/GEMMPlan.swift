/// How one GEMM call runs, decided from its shape before any work: the microkernel among its
/// table's tiles, whether A and B are read in place or packed, the loop order inside a packed
/// block, split-K, the block sizes balanced to the problem and the thread partition. This is the
/// one place that holds ConvKit's GEMM shape policy (XNNPACK's "reshape" step; the kernels and
/// their block sizes come from the ``KernelTable``).
///
/// Everything that decides the arithmetic (the tile's ISA, kc, split-K, which operand is packed)
/// depends only on the shape and the table, never on the thread count, so results are bitwise
/// identical for any budget; tiles of one ISA give the same bits.
struct GEMMPlan: Sendable {
    // MARK: Shape policy (the same for every kernel)

    /// Largest `k * n` for which B is read in place (not packed) when `op(B) = B`: a B that small
    /// stays in cache, so copying it does not pay. (A large B read in place is slower than packed:
    /// its rows are separate memory streams that the hardware prefetcher does not follow.)
    static let unpackedBMaxElements = 16 * 1024
    /// A larger B (`k * n` up to ``unpackedBFewRowsMaxElements``, 4 MiB: it stays in L3) is also
    /// read in place when C has at most this many rows and the table says so
    /// (``KernelTable/gemmReadsLargeBInPlaceForFewRows``): with so few row tiles to share each packed
    /// panel, packing costs more than the strided reads it saves (the conv3 forward GEMM,
    /// 64 x 1024 x 576, under AVX-512). Larger B's (the conv1 and conv2 forward GEMMs) stay packed.
    static let unpackedBMaxRows = 64
    static let unpackedBFewRowsMaxElements = 1 << 20
    /// Largest packed B block (`kc * nc` floats, as planned for the problem) for which the two
    /// inner loops swap: each MR row band of the packed A block sweeps every NR panel of B, which
    /// then must stay in L2, and C is written in long runs along its rows instead of one MR x NR
    /// tile per row band in turn. It pays when K is small and C traffic dominates, as in the conv2
    /// backward-data GEMM (288 x 10816 x 64, C = 12 MB); square sizes keep BLIS's order.
    static let rowBandMaxBElements = 128 * 1024
    /// Split-K: when C has at most `splitKMaxC` elements and K is at least twice `splitKDepth`,
    /// K is cut into chunks of about `splitKDepth` (fixed by the shape, not the thread count),
    /// computed in parallel and summed in a fixed order, at most `splitKMaxChunks` of them (so the
    /// partial products take at most `splitKMaxChunks * splitKMaxC` floats however deep K is).
    static let splitKMaxC = 64 * 1024
    static let splitKDepth = 512
    static let splitKMaxChunks = 32
    /// How much better another tile of the table must use the rows of C than the primary tile
    /// (`m / (ceil(m / MR) * MR)`) to be chosen instead: the primary's taller tile reads B fewer
    /// times per FLOP, which is worth some padding. With 10%, `m = 32` (76% of three 14-row tiles)
    /// takes AVX-512's 8x32 tile and `m = 64` (91%) keeps 14x32 (`convbench gemm --no-square
    /// --kernel NAME` compares pinned tiles).
    static let rowFitGain = 1.10
    /// Largest column count of C for which a GEMM with a row-major op(A) reads A in place through
    /// a kernel's "arow" variant instead of packing it: with few NR panels to share a packed A
    /// block, its transposing copy costs more than it saves; the gain is gone at 1536-2048 columns.
    static let rowMajorAMaxColumns = 1024
    /// Columns up to which A is also read in place when a large B is (``unpackedBMaxRows``):
    /// both operands' strided rows then share the prefetchers, which pays for narrow C only.
    static let bothInPlaceMaxColumns = 256
    /// Work below which a call runs on one thread (about 4 microseconds at 150 GFLOP/s). The
    /// spinning pool starts back-to-back regions at once, and its caller runs any share no helper
    /// has claimed, so a late helper costs at most the 1-thread time (`convbench gemm --sizes
    /// 48,64,80,128,160 --threads 1,2`).
    static let minFlopsPerThread = 500_000

    /// The microkernel for a GEMM with an `m x n` C from `table`: when op(A) is row-major and C
    /// has at most ``rowMajorAMaxColumns`` columns, the table's tile with a row-major-A variant;
    /// otherwise the primary, unless another tile's row tiles waste clearly fewer rows
    /// (``rowFitGain``). A function of the shape and the table only.
    static func tile(in table: KernelTable, m: Int, n: Int, aRowMajor: Bool) -> GEMMMicrokernel {
        if aRowMajor && n <= rowMajorAMaxColumns, let k = table.gemm.first(where: \.readsRowMajorAInPlace) { return k }
        return tile(in: table, rows: m)
    }

    /// The tile for a C of `m` rows by row fit alone (see ``tile(in:m:n:aRowMajor:)``).
    static func tile(in table: KernelTable, rows m: Int) -> GEMMMicrokernel {
        let primary = table.primaryGEMM
        guard m > 0, table.gemm.count > 1 else { return primary }
        func use(_ k: GEMMMicrokernel) -> Double { Double(m) / Double(ceilDiv(m, k.mr) * k.mr) }
        var best = primary
        for k in table.gemm.dropFirst() where use(k) >= use(primary) * rowFitGain && use(k) > use(best) { best = k }
        return best
    }

    /// Whether the five loops read A in place through `kernel`'s row-major-A variant (no A packing).
    static func readsAInPlace(_ kernel: GEMMMicrokernel, n: Int, aRowMajor: Bool, largeBInPlace: Bool) -> Bool {
        aRowMajor && n <= rowMajorAMaxColumns && kernel.readsRowMajorAInPlace && (!largeBInPlace || n <= bothInPlaceMaxColumns)
    }

    // MARK: The plan

    let mc: Int, kc: Int, nc: Int
    let unpackedB: Bool
    /// A is read in place through the kernel's row-major-A variant (no A packing).
    let rowMajorA: Bool
    /// Loop order inside a packed block: `true` sweeps each MR row band across all NR panels
    /// (ir outer, jr inner), so every tile's C rows continue where the previous tile's ended;
    /// `false` is BLIS's order (jr outer, ir inner). See ``rowBandMaxBElements``.
    let rowBandOrder: Bool
    let rowParts: Int, colParts: Int
    let rowTiles: Int, colTiles: Int

    init(m: Int, n: Int, k: Int, aRowMajor: Bool, bIsRowMajor: Bool, kernel: GEMMMicrokernel, threads: Int) {
        let bl = kernel.blocking
        let kBlocks = ceilDiv(k, bl.kc)
        kc = min(bl.kc, roundUp(ceilDiv(k, kBlocks), 8))
        let bFitsCache = k * n <= GEMMPlan.unpackedBMaxElements
        let largeBForFewRows =
            kernel.readsLargeBInPlaceForFewRows && !bFitsCache && m <= GEMMPlan.unpackedBMaxRows
            && k * n <= GEMMPlan.unpackedBFewRowsMaxElements
        unpackedB = bIsRowMajor && (bFitsCache || largeBForFewRows)
        rowMajorA = GEMMPlan.readsAInPlace(
            kernel, n: n, aRowMajor: aRowMajor,
            largeBInPlace: bIsRowMajor && largeBForFewRows)
        rowTiles = ceilDiv(m, bl.mr)
        colTiles = ceilDiv(n, bl.nr)

        // Thread partition: a grid of rowParts x colParts macro-tiles, one per thread, chosen to
        // minimise the data each thread packs (its rows of A plus its columns of B).
        let flops = 2.0 * Double(m) * Double(n) * Double(k)
        var budget = min(threads, max(1, Int(flops / Double(GEMMPlan.minFlopsPerThread))))
        budget = min(budget, rowTiles * colTiles)
        var best = (rows: 1, cols: 1, cost: Double.infinity)
        while budget >= 1 && best.cost == .infinity {
            for cols in 1...budget where budget % cols == 0 {
                let rows = budget / cols
                guard rows <= rowTiles, cols <= colTiles else { continue }
                let cost = Double(m) / Double(rows) + Double(n) / Double(cols)
                if cost < best.cost { best = (rows, cols, cost) }
            }
            budget -= 1
        }
        rowParts = best.rows
        colParts = best.cols

        let rowsPerPart = ceilDiv(rowTiles, rowParts) * bl.mr
        mc = min(bl.mc, roundUp(ceilDiv(rowsPerPart, ceilDiv(rowsPerPart, bl.mc)), bl.mr))
        let colsPerPart = ceilDiv(colTiles, colParts) * bl.nr
        nc = min(bl.nc, roundUp(ceilDiv(colsPerPart, ceilDiv(colsPerPart, bl.nc)), bl.nr))
        rowBandOrder = kc * nc <= GEMMPlan.rowBandMaxBElements
    }

    /// Rows of C owned by macro-tile `part` (in whole MR tiles).
    func rows(part: Int, m: Int, mr: Int) -> Range<Int> {
        let r = part / colParts
        return min(m, r * rowTiles / rowParts * mr)..<min(m, (r + 1) * rowTiles / rowParts * mr)
    }

    /// Columns of C owned by macro-tile `part` (in whole NR tiles).
    func columns(part: Int, n: Int, nr: Int) -> Range<Int> {
        let q = part % colParts
        return min(n, q * colTiles / colParts * nr)..<min(n, (q + 1) * colTiles / colParts * nr)
    }
}

func ceilDiv(_ x: Int, _ y: Int) -> Int { (x + y - 1) / y }
func roundUp(_ x: Int, _ y: Int) -> Int { ceilDiv(x, y) * y }

/// The split-K cut of a GEMM with a small C and a deep K: `count` chunks of `depth` (the last
/// may be shorter), at most ``GEMMPlan/splitKMaxChunks`` of them. Depends only on the shape,
/// never on the thread count.
struct SplitK {
    let count: Int
    let depth: Int

    init?(m: Int, n: Int, k: Int) {
        guard m * n <= GEMMPlan.splitKMaxC, k >= 2 * GEMMPlan.splitKDepth else { return nil }
        let wanted = min(ceilDiv(k, GEMMPlan.splitKDepth), GEMMPlan.splitKMaxChunks)
        depth = roundUp(ceilDiv(k, wanted), 8)
        count = ceilDiv(k, depth)
    }
}
