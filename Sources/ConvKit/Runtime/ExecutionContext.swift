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

    /// - Parameters:
    ///   - threads: the thread budget, >= 1; `nil` takes the active processor count.
    ///   - isa: the instruction set; `nil` takes the best this machine supports.
    /// - Throws: ``ConvKitError`` when `threads < 1` or `isa` is not supported here.
    public init(threads: Int? = nil, isa: ISA? = nil) throws {
        let budget = threads ?? ProcessInfo.processInfo.activeProcessorCount
        guard budget >= 1 else {
            throw ConvKitError.invalidArgument(name: "threads", message: "must be at least 1, got \(budget)")
        }
        let level = isa ?? ISA.best
        guard level.isSupported else {
            throw ConvKitError.unsupportedISA(requested: level, available: ISA.supported)
        }
        self.threads = budget
        self.isa = level
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

    /// Returns this context with another thread budget.
    public func withThreads(_ threads: Int) throws -> ExecutionContext {
        try ExecutionContext(threads: threads, isa: isa)
    }
}
