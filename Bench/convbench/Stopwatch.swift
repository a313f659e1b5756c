import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The times of one measurement: the median (what tables report) and the fastest run (what
/// `convbench check` compares: interference from other processes only ever slows a run down).
struct Sample {
    var median: Double
    var best: Double
    var runs: Int
    init(_ times: [Double]) {
        let sorted = times.sorted()
        median = sorted.isEmpty ? .nan : sorted[sorted.count / 2]
        best = sorted.first ?? .nan
        runs = sorted.count
    }
}

/// How long to time a measurement: two warm-up runs, then at least `runs` timed runs and at
/// least `minTime` seconds of them.
struct Timing {
    var runs: Int
    var minTime: Double
    static let warmUpRuns = 2
    static let maxRuns = 100_000

    /// The times in seconds of one run of `body`.
    func measure(_ body: () throws -> Void) rethrows -> Sample {
        for _ in 0..<Self.warmUpRuns { _ = try Stopwatch.seconds(body) }
        var times: [Double] = []
        try append(to: &times, body)
        return Sample(times)
    }

    /// Times two bodies in alternating blocks (`rounds` blocks each), so both see the same machine
    /// conditions (these machines are shared and their speed drifts), and returns the times of each. Before each block of `first` the process sleeps `settle` seconds:
    /// OpenBLAS's and OpenMP's worker threads busy-wait for a while after a call, and would
    /// otherwise take a core from `first`'s threads.
    func alternating(
        rounds: Int = 3, settle: Double = 0.25, _ first: () throws -> Void,
        _ second: () throws -> Void
    ) rethrows -> (Sample, Sample) {
        for _ in 0..<Self.warmUpRuns { _ = try Stopwatch.seconds(first); _ = try Stopwatch.seconds(second) }
        var times1: [Double] = [], times2: [Double] = []
        let block = Timing(runs: max(1, (runs + rounds - 1) / rounds), minTime: minTime / Double(rounds))
        for _ in 0..<rounds {
            if settle > 0 { usleep(UInt32(settle * 1e6)) }
            try block.append(to: &times1, first)
            try block.append(to: &times2, second)
        }
        return (Sample(times1), Sample(times2))
    }

    private func append(to times: inout [Double], _ body: () throws -> Void) rethrows {
        var total = 0.0, count = 0
        while count < runs || (total < minTime && count < Self.maxRuns) {
            let t = try Stopwatch.seconds(body)
            times.append(t)
            total += t
            count += 1
        }
    }
}

/// Wall-clock timing.
enum Stopwatch {
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
    }

    /// The fastest and the median time of `runs` runs of `body` (after one warm-up run), in seconds.
    static func bestAndMedian(runs: Int, _ body: () throws -> Void) rethrows -> (best: Double, median: Double) {
        _ = try seconds(body)
        var times: [Double] = []
        for _ in 0..<max(1, runs) { times.append(try seconds(body)) }
        times.sort()
        return (times[0], times[times.count / 2])
    }

}
