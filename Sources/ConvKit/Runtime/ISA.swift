internal import ConvKitKernels

/// An instruction-set level that ConvKit has kernels for, ordered from the most portable
/// (`generic`: 128-bit vectors, SSE2 on x86-64 and NEON on arm64) to the fastest.
public enum ISA: String, CaseIterable, Comparable, Sendable, CustomStringConvertible {
    case generic
    case avx2
    case avx512

    public static func < (lhs: ISA, rhs: ISA) -> Bool { lhs.rank < rhs.rank }

    /// The position in `allCases` (0 for `generic`).
    var rank: Int {
        switch self {
        case .generic: return 0
        case .avx2: return 1
        case .avx512: return 2
        }
    }

    public var description: String { rawValue }

    /// Whether this CPU and this build can run kernels of this level (detected once at run time).
    public var isSupported: Bool { ISA.supported.contains(self) }

    /// The levels this machine supports, most portable first.
    public static let supported: [ISA] = {
        var levels: [ISA] = [.generic]
        #if arch(x86_64)
        if ck_cpu_has_avx2_fma() != 0 { levels.append(.avx2) }
        if ck_cpu_has_avx512() != 0 { levels.append(.avx512) }
        #endif
        return levels
    }()

    /// The best level this machine supports.
    public static var best: ISA { supported.last ?? .generic }
}
