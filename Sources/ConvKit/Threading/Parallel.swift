import Dispatch
import Synchronization
internal import ConvKitKernels

/// The one threading abstraction of ConvKit: a parallel loop with a thread budget, run by
/// ``runtime`` (the spinning Dispatch pool unless a program sets another one), that runs
/// serially when called from inside another ConvKit parallel region (so a parallel caller never
/// oversubscribes the machine).
public enum Parallel {
    /// Whether the calling thread is running inside a ConvKit parallel region.
    public static var isInsideParallelRegion: Bool { ck_parallel_depth() > 0 }

    /// The number of threads a kernel called here may use with budget `threads`:
    /// 1 inside a parallel region, else `max(1, threads)`.
    public static func availableThreads(_ threads: Int) -> Int {
        isInsideParallelRegion ? 1 : max(1, threads)
    }

    /// Runs `body(i)` for every `i` in `0..<count`, on at most `threads` threads.
    ///
    /// Workers take the next item from a shared counter, so a worker that Dispatch starts late
    /// simply takes fewer items. Which thread runs an item never changes what the item computes;
    /// kernels keep their results independent of the thread count. Calls from inside a region
    /// run serially, in order.
    public static func forEach(_ count: Int, threads: Int, _ body: (Int) -> Void) {
        forEach(count, threads: threads) { item, _ in body(item) }
    }

    /// The number of workers ``forEach(_:threads:_:)-(_,_,(Int,Int)->Void)`` starts for `count`
    /// items with budget `threads`: size per-worker scratch space with it.
    public static func workerCount(items count: Int, threads: Int) -> Int {
        max(1, min(count, availableThreads(threads)))
    }

    /// Runs `body(item, worker)` for every item in `0..<count`; `worker` is in
    /// `0..<workerCount(items: count, threads: threads)` and no two concurrent calls share one,
    /// so it can index per-worker scratch space.
    public static func forEach(_ count: Int, threads: Int, _ body: (_ item: Int, _ worker: Int) -> Void) {
        guard count > 0 else { return }
        let workers = workerCount(items: count, threads: threads)
        let flush: Int32 = Denormals.flushToZero ? 1 : 0
        if workers <= 1 {
            ck_parallel_depth_add(1)
            let previous = ck_fp_flush_denormals(flush)
            defer {
                ck_fp_flush_denormals(Int32(previous))
                ck_parallel_depth_add(-1)
            }
            for i in 0..<count { body(i, 0) }
            return
        }
        // The shared item counter lives on this stack frame: a region allocates nothing itself.
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 1) { counter in
            counter[0] = 0
            let next = UncheckedSendableBox(counter.baseAddress!)
            withoutActuallyEscaping(body) { escapable in
                let box = UncheckedSendableBox(escapable)
                runtime.runWorkers(workers) { worker in
                    ck_parallel_depth_add(1)
                    let previous = ck_fp_flush_denormals(flush)
                    defer {
                        ck_fp_flush_denormals(Int32(previous))
                        ck_parallel_depth_add(-1)
                    }
                    while true {
                        let i = ck_fetch_add(next.value)
                        if i >= count { break }
                        box.value(i, worker)
                    }
                }
            }
        }
    }
}

/// Whether ConvKit's parallel regions flush denormal floats to zero (FTZ and DAZ on x86-64), as
/// TensorFlow's CPU kernels do. On by default: arithmetic on denormal operands is slow on many
/// CPUs, and training drives some values into that range (on this machine it slowed a CIFAR-10
/// training run epoch by epoch; Docs/Benchmarks.md has the measurement). The setting
/// holds for every region's threads alike, so results stay independent of the thread count.
public enum Denormals {
    private static let flag = Atomic<Bool>(true)
    public static var flushToZero: Bool {
        get { flag.load(ordering: .relaxed) }
        set { flag.store(newValue, ordering: .relaxed) }
    }

    /// Runs `body` on the calling thread with the flush mode of ``flushToZero`` (for work that
    /// runs outside a parallel region, such as optimizer updates).
    public static func withMode<R>(_ body: () throws -> R) rethrows -> R {
        let previous = ck_fp_flush_denormals(flushToZero ? 1 : 0)
        defer { ck_fp_flush_denormals(Int32(previous)) }
        return try body()
    }
}

/// Carries a value the caller guarantees is safe to share across the threads of one region.
struct UncheckedSendableBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
