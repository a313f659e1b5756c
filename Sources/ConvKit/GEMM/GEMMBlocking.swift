/// The cache-blocking parameters of the packed GEMM for one microkernel (BLIS naming):
/// the register tile `mr x nr`, and the block sizes `mc` (rows of packed A, sized for L2),
/// `kc` (depth of a packed panel) and `nc` (columns of packed B, sized for L2/L3).
/// A deeper `kc` means fewer passes over C (each pass loads and stores every C tile once): the
/// AVX-512 kernel takes `kc = 512`, whose `kc x nr` B micro-panel (64 KiB) lives in L2 next to
/// the `mc x kc` A block (336 KiB), which measured faster than `kc = 256` (an L1-sized B
/// micro-panel) at square 1024-2048 on one thread (`convbench gemm --sizes 1024,2048`).
/// `mc` is a multiple of `mr`, `nc` of `nr`.
public struct GEMMBlocking: Sendable, Equatable {
    public let mr: Int
    public let nr: Int
    public let mc: Int
    public let kc: Int
    public let nc: Int
    /// Largest `k * n` for which B is read in place (not packed) when `op(B) = B`: a B that small
    /// stays in cache, so copying it does not pay. (A large B read in place is slower than packed:
    /// its rows are separate memory streams that the hardware prefetcher does not follow.)
    public let unpackedBMaxElements: Int
    /// A larger B (`k * n` up to `unpackedBFewRowsMaxElements`, 4 MiB: it stays in L3) is also read in
    /// place when C has at most `unpackedBMaxRows` rows: with so few row tiles to share each packed
    /// panel, packing costs more than the strided reads it saves (the conv3 forward GEMM,
    /// 64 x 1024 x 576). Larger B's (the conv1 and conv2 forward GEMMs) are slower in place and
    /// stay packed (`convbench gemm --no-square` shows the conv-shaped GEMMs).
    public let unpackedBMaxRows: Int
    public let unpackedBFewRowsMaxElements: Int
    /// Largest packed B block (`kc * nc` floats, as planned for the problem) for which the two
    /// inner loops swap: each MR row band of the packed A block sweeps every NR panel of B, which
    /// then must stay in L2, and C is written in long runs along its rows instead of one MR x NR
    /// tile per row band in turn. It pays when K is small and C traffic dominates, as in the conv2
    /// backward-data GEMM (288 x 10816 x 64, C = 12 MB); square sizes, whose blocks are larger,
    /// keep BLIS's order.
    public let rowBandMaxBElements: Int
    /// Split-K: when C has at most `splitKMaxC` elements and K is at least twice `splitKDepth`,
    /// K is cut into chunks of about `splitKDepth` (fixed by the shape, not the thread count),
    /// computed in parallel and summed in a fixed order. Chunks are packed with `kc` up to the
    /// chunk depth: with a small C, long panels cost nothing in reuse and halve the C traffic.
    public let splitKMaxC: Int
    public let splitKDepth: Int
    /// At most this many split-K chunks (deeper chunks beyond it), so the partial products take at
    /// most `splitKMaxChunks * splitKMaxC` floats however deep K is.
    public let splitKMaxChunks: Int

    init(mr: Int, nr: Int, mc: Int, kc: Int, nc: Int, unpackedBMaxElements: Int, unpackedBMaxRows: Int = 64,
                unpackedBFewRowsMaxElements: Int = 1 << 20,
                rowBandMaxBElements: Int = 128 * 1024, splitKMaxC: Int, splitKDepth: Int, splitKMaxChunks: Int = 32) {
        precondition(mr > 0 && nr > 0 && mc % mr == 0 && nc % nr == 0 && kc > 0 && splitKDepth > 0 && splitKMaxChunks >= 2)
        self.mr = mr
        self.nr = nr
        self.mc = mc
        self.kc = kc
        self.nc = nc
        self.unpackedBMaxElements = unpackedBMaxElements
        self.unpackedBMaxRows = unpackedBMaxRows
        self.unpackedBFewRowsMaxElements = unpackedBFewRowsMaxElements
        self.rowBandMaxBElements = rowBandMaxBElements
        self.splitKMaxC = splitKMaxC
        self.splitKDepth = splitKDepth
        self.splitKMaxChunks = splitKMaxChunks
    }
}
