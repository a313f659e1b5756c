/// What a GEMM call of a given shape runs and why, as ``GEMM/describe(_:_:m:n:k:context:)``
/// reports it (oneDNN's verbose line): the microkernel, which operands are read in place, the
/// loop order, split-K and the threads.
public struct GEMMPlanSummary: Sendable, Equatable, CustomStringConvertible {
    /// The microkernel that runs every tile (`ck_f32_gemm_8x32__avx512`).
    public let kernel: GEMMMicrokernel
    /// A is read in place through the kernel's row-major-A variant (op(A) row-major, C narrow).
    public let readsAInPlace: Bool
    /// Full NR panels of B are read in place (a small B, or a B of up to 4 MiB under few rows of C).
    public let readsBInPlace: Bool
    /// Each MR row band sweeps every NR panel of a packed block (a small packed B block);
    /// otherwise BLIS's order.
    public let rowBandOrder: Bool
    /// Split-K chunks (1: no split), summed in ascending order.
    public let splitKChunks: Int
    /// Threads the call runs on (macro-tiles of C, or split-K chunks at once).
    public let threads: Int

    public var description: String {
        [
            kernel.name,
            readsAInPlace ? "A in place" : "A packed",
            readsBInPlace ? "B in place" : "B packed",
            rowBandOrder ? "row-band order" : "BLIS order",
            splitKChunks > 1 ? "split-K \(splitKChunks) chunks" : nil,
            "\(threads) thread\(threads == 1 ? "" : "s")",
        ].compactMap { $0 }.joined(separator: ", ")
    }
}

extension GEMM {
    /// The plan an `m x n x k` ``sgemm(_:_:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:context:)`` call
    /// would follow with `context` (nothing is computed).
    /// - Throws: ``ConvKitError`` for negative sizes, or the errors of
    ///   ``ExecutionContext/fromEnvironment()`` when `context` is nil.
    public static func describe(
        _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
        context: ExecutionContext? = nil
    ) throws -> GEMMPlanSummary {
        for (name, value) in [("m", m), ("n", n), ("k", k)] where value < 0 {
            throw ConvKitError.invalidArgument(name: name, message: "must be >= 0, got \(value)")
        }
        let context = try context ?? ExecutionContext.fromEnvironment()
        let aRowMajor = transA == .noTranspose, bRowMajor = transB == .noTranspose
        let kernel = context.gemmKernel(m: m, n: n, aRowMajor: aRowMajor)
        let threads = Parallel.availableThreads(context.threads)
        guard m > 0, n > 0, k > 0 else {
            return GEMMPlanSummary(
                kernel: kernel, readsAInPlace: false, readsBInPlace: false, rowBandOrder: false,
                splitKChunks: 1, threads: 1)
        }
        if let split = SplitK(m: m, n: n, k: k) {
            let plan = GEMMPlan(m: m, n: n, k: split.depth, aRowMajor: aRowMajor, bIsRowMajor: bRowMajor, kernel: kernel, threads: 1)
            return GEMMPlanSummary(
                kernel: kernel, readsAInPlace: plan.rowMajorA, readsBInPlace: plan.unpackedB,
                rowBandOrder: plan.rowBandOrder, splitKChunks: split.count, threads: min(threads, split.count))
        }
        let plan = GEMMPlan(m: m, n: n, k: k, aRowMajor: aRowMajor, bIsRowMajor: bRowMajor, kernel: kernel, threads: threads)
        return GEMMPlanSummary(
            kernel: kernel, readsAInPlace: plan.rowMajorA, readsBInPlace: plan.unpackedB,
            rowBandOrder: plan.rowBandOrder, splitKChunks: 1, threads: plan.rowParts * plan.colParts)
    }
}
