/// Single-precision matrix multiplication, row-major BLAS semantics:
/// `C := alpha * op(A) * op(B) + beta * C`, where `op(A)` is `m x k`, `op(B)` is `k x n` and C is `m x n`.
///
/// - `beta == 0`: C is not read (NaN or garbage in C is overwritten).
/// - `alpha == 0` or `k == 0`: A and B are not read; C is only scaled by beta.
/// - Results are bitwise identical for any thread budget.
public enum GEMM {
    /// Pointer-based SGEMM for code that links the kernels (CBLAS row-major layout).
    ///
    /// Storage: A is `m x k` with row stride `lda` when `transA == .noTranspose`, else `k x m`
    /// (likewise B: `k x n` or `n x k` with `ldb`); C is `m x n` with row stride `ldc`.
    ///
    /// Preconditions the caller guarantees (they cannot be checked from a pointer): each non-nil
    /// pointer addresses at least the elements its shape and leading dimension reach
    /// (`(rows - 1) * ld + columns` floats) and no other thread writes them during the call.
    /// Pointers may be nil only where nothing is read from them.
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` naming the argument for negative
    ///   sizes, too-small leading dimensions, a nil pointer that would be read, or a C whose span
    ///   overlaps the span of A or B (C is written while they are read); the errors of
    ///   ``ExecutionContext/fromEnvironment()`` when `context` is nil.
    public static func sgemm(
        _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>?, lda: Int,
        b: UnsafePointer<Float>?, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>?, ldc: Int,
        context: ExecutionContext? = nil
    ) throws {
        let shape = try GEMMShape(transA, transB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
        let context = try context ?? ExecutionContext.fromEnvironment()
        if m == 0 || n == 0 { return }
        guard let c else { throw ConvKitError.invalidArgument(name: "c", message: "is nil but C is \(m) x \(n)") }
        let readsAB = k > 0 && alpha != 0
        let dummy = UnsafePointer(c)
        guard !readsAB || a != nil else { throw ConvKitError.invalidArgument(name: "a", message: "is nil but op(A) is \(m) x \(k)") }
        guard !readsAB || b != nil else { throw ConvKitError.invalidArgument(name: "b", message: "is nil but op(B) is \(k) x \(n)") }
        if readsAB {
            func bytes(_ p: UnsafePointer<Float>?, _ rows: Int, _ columns: Int, _ ld: Int) -> UnsafeRawBufferPointer {
                UnsafeRawBufferPointer(UnsafeBufferPointer(start: p, count: GEMMShape.span(rows: rows, columns: columns, ld: ld)))
            }
            try ConvKitError.requireDisjoint(
                ("c", bytes(c, m, n, ldc)),
                from: ("a", bytes(a, shape.aRows, shape.aColumns, lda)),
                ("b", bytes(b, shape.bRows, shape.bColumns, ldb)))
        }
        let operands = GEMMOperands(
            m: m, n: n, k: k, alpha: alpha, beta: beta,
            a: a ?? dummy, aRowStride: transA == .noTranspose ? lda : 1, aColStride: transA == .noTranspose ? 1 : lda,
            b: b ?? dummy, bRowStride: transB == .noTranspose ? ldb : 1, bColStride: transB == .noTranspose ? 1 : ldb,
            c: c, ldc: ldc, bIsRowMajor: transB == .noTranspose)
        PackedGEMM.run(
            operands, kernel: context.gemmKernel(m: m, n: n, aRowMajor: transA == .noTranspose),
            threads: context.threads)
    }

    /// SGEMM on Swift arrays, with the same layout rules as the pointer call; `lda`, `ldb` and
    /// `ldc` default to the row lengths (dense storage).
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` for invalid sizes and for any array
    ///   shorter than its shape and leading dimension need.
    public static func sgemm(
        _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: [Float], lda: Int? = nil,
        b: [Float], ldb: Int? = nil,
        beta: Float = 0, c: inout [Float], ldc: Int? = nil,
        context: ExecutionContext? = nil
    ) throws {
        let lda = lda ?? max(1, transA == .noTranspose ? k : m)
        let ldb = ldb ?? max(1, transB == .noTranspose ? n : k)
        let ldc = ldc ?? max(1, n)
        let shape = try GEMMShape(transA, transB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
        try shape.checkCounts(a: a.count, b: b.count, c: c.count)
        try a.withUnsafeBufferPointer { a in
            try b.withUnsafeBufferPointer { b in
                try c.withUnsafeMutableBufferPointer { c in
                    try sgemm(
                        transA, transB, m: m, n: n, k: k, alpha: alpha, a: a.baseAddress, lda: lda,
                        b: b.baseAddress, ldb: ldb, beta: beta, c: c.baseAddress, ldc: ldc, context: context)
                }
            }
        }
    }

    /// `c := alpha * op(a) * op(b) + beta * c` on ConvKit's aligned ``Matrix`` storage.
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` when the shapes do not agree.
    public static func multiply(
        _ a: Matrix, _ transA: Transpose = .noTranspose, _ b: Matrix, _ transB: Transpose = .noTranspose,
        into c: inout Matrix, alpha: Float = 1, beta: Float = 0, context: ExecutionContext? = nil
    ) throws {
        let (m, k) = transA == .noTranspose ? (a.rows, a.columns) : (a.columns, a.rows)
        let (kb, n) = transB == .noTranspose ? (b.rows, b.columns) : (b.columns, b.rows)
        guard kb == k else {
            throw ConvKitError.invalidArgument(
                name: "b", message: "op(b) has \(kb) rows but op(a) has \(k) columns; they must match")
        }
        guard c.rows == m, c.columns == n else {
            throw ConvKitError.invalidArgument(
                name: "c", message: "is \(c.rows) x \(c.columns) but op(a) * op(b) is \(m) x \(n)")
        }
        let ldc = c.leadingDimension
        try a.withUnsafePointer { pa in
            try b.withUnsafePointer { pb in
                try c.withUnsafeMutablePointer { pc in
                    try sgemm(
                        transA, transB, m: m, n: n, k: k, alpha: alpha, a: pa, lda: a.leadingDimension,
                        b: pb, ldb: b.leadingDimension, beta: beta, c: pc, ldc: ldc, context: context)
                }
            }
        }
    }
}

extension GEMM {
    /// Internal SGEMM for ConvKit's own kernels: arguments are valid by construction, so no
    /// validation and no environment lookup; `C := op(A) op(B) + beta C` (alpha is 1 in every
    /// internal use). Inside a parallel region it runs on one thread.
    static func run(
        _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
        kernel: GEMMMicrokernel, threads: Int
    ) {
        guard m > 0, n > 0 else { return }
        let operands = GEMMOperands(
            m: m, n: n, k: k, alpha: 1, beta: beta,
            a: a, aRowStride: transA == .noTranspose ? lda : 1, aColStride: transA == .noTranspose ? 1 : lda,
            b: b, bRowStride: transB == .noTranspose ? ldb : 1, bColStride: transB == .noTranspose ? 1 : ldb,
            c: c, ldc: ldc, bIsRowMajor: transB == .noTranspose)
        PackedGEMM.run(operands, kernel: kernel, threads: threads)
    }
}
