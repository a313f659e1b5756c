#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where and how ConvKit kernels run: the thread budget and the instruction-set level.
///
/// Every kernel takes an optional context; `nil` means ``ExecutionContext/fromEnvironment()``.
/// A call made from inside a ConvKit parallel region runs on one thread whatever its budget.
public struct ExecutionContext: Sendable, Equatable {
    /// The largest number of threads a kernel call may use (>= 1).
    public let threads: Int
    /// The instruction-set level of the kernels to run (always supported by this machine).
    public let isa: ISA
    /// The kernels every call of this context runs: the table of ``isa``.
    public let kernels: KernelTable
    /// The GEMM microkernel every GEMM of this context runs (SGEMM calls and the im2col
    /// convolutions), or `nil` to let the GEMM plan choose among the table's tiles by shape.
    /// For tests and benchmarks that compare tiles.
    public let gemmKernel: GEMMMicrokernel?

    /// - Parameters:
    ///   - threads: the thread budget, >= 1; `nil` takes the active processor count.
    ///   - isa: the instruction set; `nil` takes the best this machine supports (or, with
    ///     `gemmKernel`, that kernel's ISA).
    ///   - gemmKernel: pins the GEMM microkernel (one of ``KernelTable/available``' tiles whose
    ///     ISA is at most `isa`); `nil` chooses by ISA and shape.
    /// - Throws: ``ConvKitError`` when `threads < 1`, `isa` is not supported here, or
    ///   `gemmKernel` cannot run here or needs a higher ISA than `isa`.
    public init(threads: Int? = nil, isa: ISA? = nil, gemmKernel: GEMMMicrokernel? = nil) throws {
        let budget = threads ?? ProcessInfo.processInfo.activeProcessorCount
        guard budget >= 1 else {
            throw ConvKitError.invalidArgument(name: "threads", message: "must be at least 1, got \(budget)")
        }
        let level = isa ?? gemmKernel?.isa ?? ISA.best
        guard level.isSupported else {
            throw ConvKitError.unsupportedISA(requested: level, available: ISA.supported)
        }
        if let gemmKernel {
            guard gemmKernel.isa.isSupported else {
                throw ConvKitError.unsupportedISA(requested: gemmKernel.isa, available: ISA.supported)
            }
            guard gemmKernel.isa <= level else {
                throw ConvKitError.invalidArgument(
                    name: "gemmKernel", message: "\(gemmKernel.name) needs ISA \(gemmKernel.isa.rawValue), above the context's \(level.rawValue)")
            }
        }
        self.threads = budget
        self.isa = level
        self.kernels = KernelTable.resolve(level)
        self.gemmKernel = gemmKernel
    }

    /// The GEMM microkernel for a GEMM with an `m x n` C whose op(A) is row-major or not: the
    /// pinned one, else the plan's choice among the table's tiles.
    func gemmKernel(m: Int, n: Int, aRowMajor: Bool) -> GEMMMicrokernel {
        gemmKernel ?? GEMMPlan.tile(in: kernels, m: m, n: n, aRowMajor: aRowMajor)
    }

    /// Builds a context from environment variables:
    /// - `CONVKIT_NUM_THREADS`: a positive integer thread budget (default: active processor count).
    /// - `CONVKIT_ISA`: `avx512`, `avx2` or `generic`; lowers the instruction set. A level above
    ///   what the machine supports is clamped to the best supported one.
    /// - `CONVKIT_SPIN_US` is not part of a context (the thread runtime is process-wide, see
    ///   ``ParallelRuntime/init(environment:)``) but is validated here too.
    /// - Throws: ``ConvKitError/invalidEnvironment(variable:value:expected:)`` for unreadable values.
    public init(environment: [String: String]) throws {
        var threads: Int?
        if let raw = environment["CONVKIT_NUM_THREADS"], !raw.isEmpty {
            guard let value = Int(raw.filter { $0 != " " }), value >= 1 else {
                throw ConvKitError.invalidEnvironment(
                    variable: "CONVKIT_NUM_THREADS", value: raw, expected: "a positive integer")
            }
            threads = value
        }
        var isa = ISA.best
        if let raw = environment["CONVKIT_ISA"], !raw.isEmpty {
            guard let requested = ISA(rawValue: raw.lowercased()) else {
                throw ConvKitError.invalidEnvironment(
                    variable: "CONVKIT_ISA", value: raw,
                    expected: ISA.allCases.map(\.rawValue).joined(separator: ", "))
            }
            isa = min(requested, ISA.best)
        }
        _ = try ParallelRuntime.spinMicroseconds(environment)
        try self.init(threads: threads, isa: isa)
    }

    private static let environmentContext: Result<ExecutionContext, ConvKitError> = {
        do {
            return .success(try ExecutionContext(environment: ProcessInfo.processInfo.environment))
        } catch let error as ConvKitError {
            return .failure(error)
        } catch {
            return .failure(.invalidEnvironment(variable: "CONVKIT_*", value: "?", expected: "\(error)"))
        }
    }()

    /// The process-wide default, read once from `CONVKIT_NUM_THREADS` and `CONVKIT_ISA` (and
    /// `CONVKIT_SPIN_US` checked).
    /// - Throws: the error of ``init(environment:)`` when those variables are invalid.
    public static func fromEnvironment() throws -> ExecutionContext {
        try environmentContext.get()
    }
}
