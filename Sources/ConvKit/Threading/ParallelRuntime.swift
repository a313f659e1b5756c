import Dispatch
import Synchronization

/// The thread pool that runs the workers of every ConvKit parallel region.
///
/// The default is ``dispatch`` (`DispatchQueue.concurrentPerform`). A program that already runs
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

    /// `DispatchQueue.concurrentPerform(iterations: workers)`: libdispatch's global pool.
    public static let dispatch = ParallelRuntime(name: "dispatch") { workers, work in
        DispatchQueue.concurrentPerform(iterations: workers, execute: work)
    }
}

extension Parallel {
    private static let runtimeStorage = Mutex<ParallelRuntime>(.dispatch)

    /// The pool that runs ConvKit's parallel regions (default ``ParallelRuntime/dispatch``).
    /// Reading and writing it is thread-safe; a region takes the runtime current at its start.
    public static var runtime: ParallelRuntime {
        get { runtimeStorage.withLock { $0 } }
        set { runtimeStorage.withLock { $0 = newValue } }
    }
}
