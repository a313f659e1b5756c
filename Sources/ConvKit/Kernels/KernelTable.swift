/// The kernels of one instruction set, listed in one place in the manner of BLIS's per-CPU
/// context (`bli_cntx_init_zen4.c`): the GEMM tiles (primary first), each with its packing pair
/// and block sizes, the direct-convolution set, the pooling set and the elementwise set. Each ISA's table is defined
/// in its own file (`KernelTable+AVX512.swift`, `KernelTable+AVX2.swift`,
/// `KernelTable+Generic.swift`).
///
/// ``all`` orders the tables fastest first and ends in the portable one (oneDNN's ordered
/// implementation list); ``resolve(_:)`` is the one search of it. An ``ExecutionContext`` holds
/// the table it resolved, and every kernel a call runs comes from that table; `CONVKIT_ISA` picks
/// a lower one.
public struct KernelTable: Sendable, Equatable, CustomStringConvertible {
    /// The instruction set every kernel of the table needs.
    public let isa: ISA
    /// The GEMM microkernels, the primary tile first; the others share its NR and serve row
    /// counts the primary's MR divides badly, or read a row-major A in place (``GEMMPlan``
    /// chooses among them by shape).
    public let gemm: [GEMMMicrokernel]
    /// The direct-convolution kernels (forward, weight gradient, few-channel backward data).
    public let convolution: DirectConvolutionKernel
    /// The pooling kernels (max and average, forward and backward).
    let pooling: PoolingKernels
    /// The elementwise kernels (ReLU, bias, channel sums, optimizer updates).
    let elementwise: ElementwiseKernels
    /// Whether a GEMM reads a B of up to 4 MiB in place (unpacked) when C has few rows
    /// (``GEMMPlan``): it pays for the AVX-512 tiles, while the AVX2 tile is much slower that way
    /// than packing (`convbench gemm --shapes 64x1024x576 --no-square --no-conv` on two builds).
    let gemmReadsLargeBInPlaceForFewRows: Bool

    init(
        isa: ISA, gemm: [GEMMMicrokernel], convolution: DirectConvolutionKernel, pooling: PoolingKernels,
        elementwise: ElementwiseKernels, gemmReadsLargeBInPlaceForFewRows: Bool = false
    ) {
        precondition(
            !gemm.isEmpty && gemm.allSatisfy { $0.isa == isa && $0.nr == gemm[0].nr }
                && convolution.isa == isa && pooling.isa == isa && elementwise.isa == isa,
            "a kernel table holds kernels of its own ISA, GEMM tiles of one NR")
        self.isa = isa
        self.gemm = gemm.map { tile in
            var t = tile
            t.readsLargeBInPlaceForFewRows = gemmReadsLargeBInPlaceForFewRows
            return t
        }
        self.convolution = convolution
        self.pooling = pooling
        self.elementwise = elementwise
        self.gemmReadsLargeBInPlaceForFewRows = gemmReadsLargeBInPlaceForFewRows
    }

    /// One table per ISA: two tables are equal when their ISAs are.
    public static func == (lhs: KernelTable, rhs: KernelTable) -> Bool { lhs.isa == rhs.isa }

    /// The primary GEMM tile.
    public var primaryGEMM: GEMMMicrokernel { gemm[0] }

    public var description: String {
        "\(isa.rawValue): gemm \(gemm.map(\.name).joined(separator: ", ")); conv \(convolution.name); pool \(pooling.name); eltwise \(elementwise.name)"
    }

    /// Every table this build contains, fastest ISA first, the portable one last.
    public static let all: [KernelTable] = {
        #if arch(x86_64)
        return [.avx512, .avx2, .generic]
        #else
        return [.generic]
        #endif
    }()

    /// The tables this machine can run, fastest first.
    public static let available: [KernelTable] = all.filter { $0.isa.isSupported }

    /// The resolved table per ISA level (``ISA/allCases`` order), computed once.
    private static let resolved: [KernelTable] = ISA.allCases.map { isa in
        available.first { $0.isa <= isa } ?? all[all.count - 1]
    }

    /// The table of the fastest ISA that is at most `isa` and supported here.
    public static func resolve(_ isa: ISA) -> KernelTable { resolved[isa.rank] }

    /// Every GEMM microkernel of this build (the tables' lists concatenated, fastest ISA first).
    public static var allGEMMKernels: [GEMMMicrokernel] { all.flatMap(\.gemm) }
}
