import Dispatch
import Synchronization
internal import ConvKitKernels

/// Dispatch worker threads that stay awake for a short while after a region, so the next
/// region's workers start at once instead of waiting for Dispatch to wake a thread.
///
/// With plain `concurrentPerform`, the caller starts on its share at once but the other workers
/// are woken per region and join late (tens of microseconds to milliseconds on a shared VM),
/// which makes short 2-thread calls slow next to OpenMP, whose threads spin between regions
/// (`Bench/OpenMP`'s `omp-vs-dispatch` compares them). Here a region's helpers are blocks submitted to Dispatch's
/// global queue; when one finishes its worker index it keeps polling for the next region for
/// `spin` before returning its thread to Dispatch. A region that finds no spinning helper
/// submits new ones, so after an idle period a region costs what a `concurrentPerform` costs.
///
/// One region at a time uses the pool; a region started while another runs (from an unrelated
/// thread) falls back to `concurrentPerform`. Regions never wait for a helper: the caller claims
/// every worker index no helper has claimed, so a missing helper costs speed, never progress.
final class SpinningDispatchPool: @unchecked Sendable {
    /// How long an idle helper polls for the next region before returning to Dispatch.
    let spinNanoseconds: UInt64

    // The open region in one word, so that a claim is one compare-and-swap that cannot apply to
    // a later region: generation << 24 | workers << 12 | claimed worker indices.
    private let region = Atomic<Int>(0)
    private static let fieldBits = 12
    private static let fieldMask = (1 << fieldBits) - 1
    /// Worker calls of the open region that have returned.
    private let finished = Atomic<Int>(0)
    /// Whether a caller owns the region slot.
    private let owned = Atomic<Bool>(false)
    /// Helper blocks running or spinning.
    private let helpers = Atomic<Int>(0)
    /// The open region's work; written by the owner before the region word is published
    /// (release) and read by helpers only after a successful claim (acquire).
    private var work: (@Sendable (Int) -> Void)?

    init(spinNanoseconds: UInt64) {
        self.spinNanoseconds = spinNanoseconds
    }

    /// Runs `work(i)` for every `i` in `0..<workers` (workers >= 2) and returns when all have
    /// returned; the calling thread runs index 0 and any index no helper claims.
    func run(_ workers: Int, _ work: @Sendable (Int) -> Void) {
        guard workers >= 2, workers <= Self.fieldMask,
            owned.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else {
            DispatchQueue.concurrentPerform(iterations: workers, execute: work)
            return
        }
        withoutActuallyEscaping(work) { escapable in
            self.work = escapable
            finished.store(0, ordering: .relaxed)
            let generation = (region.load(ordering: .relaxed) >> (2 * Self.fieldBits)) + 1
            // Published with index 0 already claimed by the caller.
            region.store(
                generation << (2 * Self.fieldBits) | workers << Self.fieldBits | 1,
                ordering: .sequentiallyConsistent)
            let idle = helpers.load(ordering: .sequentiallyConsistent)
            if idle < workers - 1 {
                for _ in idle..<(workers - 1) {
                    helpers.add(1, ordering: .relaxed)
                    DispatchQueue.global(qos: .userInitiated).async { self.serve() }
                }
            }
            escapable(0)
            var done = 1
            while let index = claim() {
                escapable(index)
                done += 1
            }
            finished.add(done, ordering: .relaxed)
            // Helpers that claimed an index are running it: wait for them, spinning briefly,
            // then yielding the core (a helper may have been preempted).
            var polls = 0
            while finished.load(ordering: .acquiring) < workers {
                polls += 1
                if polls < 4096 { ck_cpu_relax() } else { ck_yield_thread() }
            }
            self.work = nil
        }
        owned.store(false, ordering: .releasing)
    }

    /// Claims the next unclaimed worker index of the open region, if any.
    private func claim() -> Int? {
        var word = region.load(ordering: .acquiring)
        while true {
            let workers = (word >> Self.fieldBits) & Self.fieldMask, claimed = word & Self.fieldMask
            if claimed >= workers { return nil }
            let (exchanged, current) = region.compareExchange(
                expected: word, desired: word + 1,
                ordering: .acquiringAndReleasing)
            if exchanged { return claimed }
            word = current
        }
    }

    /// A helper block: claims and runs worker indices of open regions until none has come for
    /// `spinNanoseconds`, then returns its thread to Dispatch.
    private func serve() {
        var deadline = DispatchTime.now().uptimeNanoseconds + spinNanoseconds
        var polls = 0
        while true {
            if let index = claim() {
                work!(index)
                finished.add(1, ordering: .releasing)
                deadline = DispatchTime.now().uptimeNanoseconds + spinNanoseconds
                continue
            }
            polls += 1
            if polls % 64 == 0 && DispatchTime.now().uptimeNanoseconds > deadline {
                helpers.subtract(1, ordering: .sequentiallyConsistent)
                // A region published before the decrement was seen counted this helper and
                // submitted none: serve it (the owner would otherwise run its share alone).
                let word = region.load(ordering: .sequentiallyConsistent)
                if word & Self.fieldMask < (word >> Self.fieldBits) & Self.fieldMask {
                    helpers.add(1, ordering: .sequentiallyConsistent)
                    continue
                }
                return
            }
            ck_cpu_relax()
        }
    }
}
