internal import ConvKitKernels

/// The C signature of an f32 GEMM microkernel (see `Kernels/include/ConvKitKernels.h`):
/// `(m, n, k, a, aKStride, b, bKStride, c, ldc, alpha, beta)`.
typealias F32GEMMMicrokernelFunction =
    @convention(c) (
        Int, Int, Int, UnsafePointer<Float>?, Int, UnsafePointer<Float>?, Int,
        UnsafeMutablePointer<Float>?, Int, Float, Float
    ) -> Void

/// The C signature of the packing routines (`ck_f32_pack_a__isa`: `(mc, kc, a, rs, cs, mr, out)`;
/// `ck_f32_pack_b__isa`: `(kc, nc, b, rs, cs, nr, out)`).
typealias F32PackFunction = @convention(c) (Int, Int, UnsafePointer<Float>?, Int, Int, Int, UnsafeMutablePointer<Float>?) -> Void

/// One f32 GEMM microkernel: its name (`ck_f32_gemm_14x32__avx512`), instruction set, tile, block
/// sizes and packing pair. The kernels of an ISA are listed in its ``KernelTable``.
public struct GEMMMicrokernel: Sendable, Equatable, CustomStringConvertible {
    /// The C symbol (a static string, so that the struct holds no reference and copies of it on
    /// the GEMM call path cost no reference counting).
    let symbol: StaticString
    /// The C symbol, XNNPACK style: dtype, op, tile `MRxNR`, ISA.
    public var name: String { symbol.description }
    public let isa: ISA
    public let blocking: GEMMBlocking
    let function: F32GEMMMicrokernelFunction
    /// The "arow" variant of the same tile, which reads a row-major op(A) in place
    /// (`a[i * lda + p]`; `ck_f32_gemm_arow_MRxNR__isa`), or nil. ``GEMMPlan`` takes it for narrow
    /// C, where packing A does not pay.
    let rowMajorAFunction: F32GEMMMicrokernelFunction?
    /// The packing pair the five loops use with this kernel (any ISA's pair writes the same panels;
    /// the kernel's ISA or a lower one).
    let packA: F32PackFunction
    let packB: F32PackFunction
    /// Whether GEMMs on this tile read a B of up to 4 MiB in place when C has few rows: its
    /// table's choice (``KernelTable``), copied here so the GEMM call path reads no table.
    var readsLargeBInPlaceForFewRows = false

    /// Two kernels are the same when they call the same C function with the same tile.
    public static func == (lhs: GEMMMicrokernel, rhs: GEMMMicrokernel) -> Bool {
        unsafeBitCast(lhs.function, to: UnsafeRawPointer.self) == unsafeBitCast(rhs.function, to: UnsafeRawPointer.self)
            && lhs.blocking == rhs.blocking
    }

    public var mr: Int { blocking.mr }
    public var nr: Int { blocking.nr }
    public var description: String { name }

    /// Runs the microkernel on one tile (the contract of `Docs/Kernels.md`):
    /// `C[i*ldc + j] := beta * C[i*ldc + j] + alpha * sum_p a[p*aStride + i] * b[p*bStride + j]`
    /// for `i < m`, `j < n`. For code that links the kernels directly (and for benchmarks).
    ///
    /// Preconditions (unchecked, like the kernel itself): `1 <= m <= mr`, `1 <= n <= nr`, `k >= 1`;
    /// `a` holds `k` steps of `m` floats `aStride` apart; `b` holds `k` steps of `nr` readable floats
    /// `bStride` apart; `c` spans `(m - 1) * ldc + n` floats. `beta == 0` does not read C.
    public func runTile(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, aStride: Int,
        b: UnsafePointer<Float>, bStride: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
        alpha: Float, beta: Float
    ) {
        function(m, n, k, a, aStride, b, bStride, c, ldc, alpha, beta)
    }

    /// Whether the kernel has a variant that reads a row-major op(A) in place (no A packing).
    public var readsRowMajorAInPlace: Bool { rowMajorAFunction != nil }

    /// Runs that variant on one tile:
    /// `C[i*ldc + j] := beta * C[i*ldc + j] + alpha * sum_p a[i*lda + p] * b[p*bStride + j]`
    /// for `i < m`, `j < n`, with the same preconditions as ``runTile(m:n:k:a:aStride:b:bStride:c:ldc:alpha:beta:)``
    /// except that `a` holds `m` rows of `k` floats `lda` apart.
    /// - Precondition: ``readsRowMajorAInPlace``.
    public func runTileRowMajorA(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, bStride: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
        alpha: Float, beta: Float
    ) {
        guard let rowMajorAFunction else { preconditionFailure("\(name) has no row-major-A variant") }
        rowMajorAFunction(m, n, k, a, lda, b, bStride, c, ldc, alpha, beta)
    }
}
