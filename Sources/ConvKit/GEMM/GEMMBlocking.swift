/// The cache-blocking parameters of the packed GEMM for one microkernel (BLIS naming): the
/// register tile `mr x nr`, and the block sizes `mc` (rows of packed A, sized for L2), `kc`
/// (depth of a packed panel) and `nc` (columns of packed B, sized for L2/L3). A deeper `kc`
/// means fewer passes over C (each pass loads and stores every C tile once); the AVX-512 table
/// takes `kc = 512`, whose `kc x nr` B micro-panel (64 KiB) lives in L2 next to the `mc x kc` A
/// block, which measured faster than `kc = 256` at square 1024-2048 (`convbench gemm --sizes
/// 1024,2048`). `mc` is a multiple of `mr`, `nc` of `nr`. The rules that depend on the shape
/// rather than the kernel (B in place, loop order, split-K) are ``GEMMPlan``'s.
public struct GEMMBlocking: Sendable, Equatable {
    public let mr: Int
    public let nr: Int
    public let mc: Int
    public let kc: Int
    public let nc: Int

    init(mr: Int, nr: Int, mc: Int, kc: Int, nc: Int) {
        precondition(mr > 0 && nr > 0 && mc % mr == 0 && nc % nr == 0 && kc > 0)
        self.mr = mr
        self.nr = nr
        self.mc = mc
        self.kc = kc
        self.nc = nc
    }
}
