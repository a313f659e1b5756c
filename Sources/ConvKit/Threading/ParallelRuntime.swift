import Dispatch
import Foundation
import Synchronization

/// The thread pool that runs the workers of every ConvKit parallel region.
///
/// The default is ``spinningDispatch(spinMicroseconds:)`` (Dispatch's threads, kept spinning for a
/// while after each region; ``dispatch`` is plain `DispatchQueue.concurrentPerform`). A program that already runs
/// its own pool (OpenMP, a task system) can hand ConvKit that pool instead, so the two never
/// compete for cores, the way oneDNN's threadpool interface does; `Bench/OpenMP` uses this to
/// run ConvKit's kernels on OpenMP threads. The choice is process-wide: set
/// ``Parallel/runtime`` once, before kernels run.
public struct ParallelRuntime: Sendable {
    /// A short name for logs and benchmark tables ("dispatch", "openmp").
    public let name: String

    /// Runs `work(worker)` once for every `worker` in `0..<workers` (`workers >= 2`), on up to
    /// `workers` threads at once, and returns after every call has returned. Each worker index
    /// must be passed exactly once: ConvKit uses it to pick per-worker scratch space. The calls
    /// may run in any order and on any threads, including the calling thread; ConvKit's work
    /// distribution does not depend on which worker runs when.
    public let runWorkers: @Sendable (_ workers: Int, _ work: @Sendable (Int) -> Void) -> Void

    public init(name: String, runWorkers: @escaping @Sendable (_ workers: Int, _ work: @Sendable (Int) -> Void) -> Void) {
        self.name = name
        self.runWorkers = runWorkers
    }

    /// `DispatchQueue.concurrentPerform(iterations: workers)`: libdispatch's global pool, woken
    /// per region.
    public static let dispatch = ParallelRuntime(name: "dispatch") { workers, work in
        DispatchQueue.concurrentPerform(iterations: workers, execute: work)
    }

    /// Dispatch's global pool, with helper threads that keep polling for the next region for
    /// `spinMicroseconds` (default 1000; a negative count is 0) after each one before they return to Dispatch, the
    /// way OpenMP's threads spin for `KMP_BLOCKTIME` (200 ms). Back-to-back regions (the layers of
    /// a training step) then start all their workers at once; an idle process stops spinning
    /// within `spinMicroseconds`. One region uses the helpers at a time; a region started
    /// meanwhile by an unrelated thread runs on `concurrentPerform`.
    public static func spinningDispatch(spinMicroseconds: Int = 1000) -> ParallelRuntime {
        // Clamped to a day, so that the spin in nanoseconds fits UInt64.
        let pool = SpinningDispatchPool(spinNanoseconds: UInt64(min(max(0, spinMicroseconds), 86_400_000_000)) * 1000)
        return ParallelRuntime(name: "dispatch+spin \(spinMicroseconds) us") { workers, work in
            pool.run(workers, work)
        }
    }
}

extension ParallelRuntime {
    /// The runtime `CONVKIT_SPIN_US` asks for: a non-negative integer of microseconds that
    /// helpers spin after a region (``spinningDispatch(spinMicroseconds:)``; 0 is ``dispatch``).
    /// Unset or empty: `spinningDispatch()`.
    /// - Throws: ``ConvKitError/invalidEnvironment(variable:value:expected:)`` for another value.
    public init(environment: [String: String]) throws {
        switch try Self.spinMicroseconds(environment) {
        case nil: self = .spinningDispatch()
        case 0: self = .dispatch
        case let microseconds?: self = .spinningDispatch(spinMicroseconds: microseconds)
        }
    }

    /// `CONVKIT_SPIN_US` parsed (nil when unset or empty).
    /// - Throws: ``ConvKitError/invalidEnvironment(variable:value:expected:)`` for a value that is
    ///   not a non-negative integer.
    static func spinMicroseconds(_ environment: [String: String]) throws -> Int? {
        guard let raw = environment["CONVKIT_SPIN_US"], !raw.isEmpty else { return nil }
        // At most a day: the pool spins for `microseconds * 1000` nanoseconds, which must fit UInt64.
        guard let microseconds = Int(raw.filter { $0 != " " }), microseconds >= 0, microseconds <= 86_400_000_000 else {
            throw ConvKitError.invalidEnvironment(
                variable: "CONVKIT_SPIN_US", value: raw,
                expected: "an integer from 0 to 86400000000 (microseconds; 0: plain concurrentPerform)")
        }
        return microseconds
    }
}

extension Parallel {
    /// The default: `CONVKIT_SPIN_US` read once (an invalid value makes
    /// ``ExecutionContext/fromEnvironment()`` throw; the runtime then keeps the default).
    private static let runtimeStorage = Mutex<ParallelRuntime>(
        (try? ParallelRuntime(environment: ProcessInfo.processInfo.environment)) ?? .spinningDispatch())

    /// The pool that runs ConvKit's parallel regions (default ``ParallelRuntime/spinningDispatch(spinMicroseconds:)``
    /// with 1000 microseconds, or what `CONVKIT_SPIN_US` says).
    /// Reading and writing it is thread-safe; a region takes the runtime current at its start.
    public static var runtime: ParallelRuntime {
        get { runtimeStorage.withLock { $0 } }
        set { runtimeStorage.withLock { $0 = newValue } }
    }
}
