import Dispatch
internal import ConvKitKernels

/// The one threading abstraction of ConvKit: a parallel loop over `DispatchQueue.concurrentPerform`
/// with a thread budget, that runs serially when called from inside another ConvKit parallel region
/// (so a parallel caller never oversubscribes the machine).
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
    /// Work items are dealt to threads statically (item `i` goes to worker `i % workers`), so the
    /// assignment does not depend on timing. Calls from inside a region run serially in order.
    public static func forEach(_ count: Int, threads: Int, _ body: (Int) -> Void) {
        guard count > 0 else { return }
        let workers = min(count, availableThreads(threads))
        if workers <= 1 {
            ck_parallel_depth_add(1)
            defer { ck_parallel_depth_add(-1) }
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { escapable in
            let box = UncheckedSendableBox(escapable)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                ck_parallel_depth_add(1)
                defer { ck_parallel_depth_add(-1) }
                var i = worker
                while i < count {
                    box.value(i)
                    i += workers
                }
            }
        }
    }
}

/// Carries a value the caller guarantees is safe to share across the threads of one region.
struct UncheckedSendableBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
