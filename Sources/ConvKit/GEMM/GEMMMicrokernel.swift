internal import ConvKitKernels

/// The C signature of an f32 GEMM microkernel (see `Kernels/include/ConvKitKernels.h`):
/// `(m, n, k, a, aKStride, b, bKStride, c, ldc, alpha, beta)`.
typealias F32GEMMMicrokernelFunction = @convention(c) (
    Int, Int, Int, UnsafePointer<Float>?, Int, UnsafePointer<Float>?, Int,
    UnsafeMutablePointer<Float>?, Int, Float, Float) -> Void

/// The C signature of the packing routines (`ck_f32_pack_a__isa`: `(mc, kc, a, rs, cs, mr, out)`;
/// `ck_f32_pack_b__isa`: `(kc, nc, b, rs, cs, nr, out)`).
typealias F32PackFunction = @convention(c) (Int, Int, UnsafePointer<Float>?, Int, Int, Int, UnsafeMutablePointer<Float>?) -> Void

/// The C signature of a register-only FMA loop that measures the FMA ceiling of an ISA.
typealias F32PeakFunction = @convention(c) (Int, UnsafeMutablePointer<Float>?) -> Void

/// One f32 GEMM microkernel of the registry: its name (`f32_gemm_14x32__avx512`), instruction set,
/// tile and blocking parameters. Obtain them from ``GEMMKernelRegistry``.
public struct GEMMMicrokernel: Sendable, Equatable, CustomStringConvertible {
    /// The C symbol (a static string, so that the struct holds no reference and copies of it on
    /// the GEMM call path cost no reference counting).
    let symbol: StaticString
    /// The C symbol, XNNPACK style: dtype, op, tile `MRxNR`, ISA.
    public var name: String { symbol.description }
    public let isa: ISA
    public let blocking: GEMMBlocking
    /// Floating-point operations done by one iteration of the ISA's ceiling probe.
    let peakFlopsPerIteration: Int
    let function: F32GEMMMicrokernelFunction
    /// The "arow" variant of the same tile, which reads a row-major op(A) in place
    /// (`a[i * lda + p]`; `f32_gemm_arow_MRxNR__isa`), or nil. The driver uses it for small
    /// problems (``GEMMKernelRegistry/rowMajorAMaxColumns``).
    let rowMajorAFunction: F32GEMMMicrokernelFunction?
    let peakFunction: F32PeakFunction
    /// The packing pair the five loops use with this kernel (any ISA's pair writes the same panels;
    /// the kernel's ISA or a lower one).
    let packA: F32PackFunction
    let packB: F32PackFunction

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
    public func runTile(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, aStride: Int,
                        b: UnsafePointer<Float>, bStride: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                        alpha: Float, beta: Float) {
        function(m, n, k, a, aStride, b, bStride, c, ldc, alpha, beta)
    }

    /// Whether the kernel has a variant that reads a row-major op(A) in place (no A packing).
    public var readsRowMajorAInPlace: Bool { rowMajorAFunction != nil }

    /// Runs that variant on one tile:
    /// `C[i*ldc + j] := beta * C[i*ldc + j] + alpha * sum_p a[i*lda + p] * b[p*bStride + j]`
    /// for `i < m`, `j < n`, with the same preconditions as ``runTile(m:n:k:a:aStride:b:bStride:c:ldc:alpha:beta:)``
    /// except that `a` holds `m` rows of `k` floats `lda` apart.
    /// - Precondition: ``readsRowMajorAInPlace``.
    public func runTileRowMajorA(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                                 b: UnsafePointer<Float>, bStride: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                                 alpha: Float, beta: Float) {
        guard let rowMajorAFunction else { preconditionFailure("\(name) has no row-major-A variant") }
        rowMajorAFunction(m, n, k, a, lda, b, bStride, c, ldc, alpha, beta)
    }

    /// Runs the ISA's register-only FMA loop for `iterations` iterations and returns the number
    /// of floating-point operations it did (the caller times it to measure the FMA ceiling).
    public func runPeakLoop(iterations: Int) -> Int {
        var sink: Float = 0
        peakFunction(iterations, &sink)
        return sink.isNaN ? 0 : iterations * peakFlopsPerIteration
    }
}
