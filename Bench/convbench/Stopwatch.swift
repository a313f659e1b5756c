import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock timing for benchmarks: the median of repeated runs after a warm-up.
enum Stopwatch {
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
    }

    /// Runs `body` once to warm up, then repeats it until `minRuns` runs and `budget` seconds have
    /// passed (at most `maxRuns`), and returns the median time of one run in seconds.
    static func median(minRuns: Int = 5, maxRuns: Int = 100_000, budget: Double = 0.3,
                       _ body: () throws -> Void) rethrows -> Double {
        _ = try seconds(body)
        var times: [Double] = []
        var total = 0.0
        while times.count < minRuns || (total < budget && times.count < maxRuns) {
            let t = try seconds(body)
            times.append(t)
            total += t
        }
        times.sort()
        return times[times.count / 2]
    }

    /// The fastest and the median time of `runs` runs of `body` (after one warm-up run), in seconds.
    static func bestAndMedian(runs: Int, _ body: () throws -> Void) rethrows -> (best: Double, median: Double) {
        _ = try seconds(body)
        var times: [Double] = []
        for _ in 0..<max(1, runs) { times.append(try seconds(body)) }
        times.sort()
        return (times[0], times[times.count / 2])
    }

    /// Times two bodies in alternating blocks (`rounds` blocks each), so both see the same machine
    /// conditions (these machines are shared and their speed drifts), and returns the median time
    /// of one run of each. After each block of `second` the process sleeps `settle` seconds:
    /// OpenBLAS's worker threads busy-wait for about 0.1 s after a call, and would otherwise take
    /// the other core from `first`'s threads.
    static func alternatingMedians(rounds: Int = 3, budget: Double = 0.3, settle: Double = 0.25,
                                   _ first: () throws -> Void, _ second: () throws -> Void) rethrows -> (Double, Double) {
        _ = try seconds(first)
        _ = try seconds(second)
        var times1: [Double] = [], times2: [Double] = []
        for _ in 0..<rounds {
            usleep(UInt32(settle * 1e6))
            try block(&times1, budget: budget / Double(rounds), first)
            try block(&times2, budget: budget / Double(rounds), second)
        }
        times1.sort()
        times2.sort()
        return (times1[times1.count / 2], times2[times2.count / 2])
    }

    /// Appends the times of at least 3 runs of `body`, and more until `budget` seconds have passed.
    private static func block(_ times: inout [Double], budget: Double, _ body: () throws -> Void) rethrows {
        var total = 0.0, runs = 0
        while runs < 3 || (total < budget && runs < 100_000) {
            let t = try seconds(body)
            times.append(t)
            total += t
            runs += 1
        }
    }
}
