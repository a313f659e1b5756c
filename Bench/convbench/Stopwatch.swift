import Dispatch

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

    /// Like ``median(minRuns:maxRuns:budget:_:)`` for two bodies run alternately, so that both see
    /// the same machine conditions (the machines are shared and their speed drifts): returns the
    /// median time of one run of each.
    static func interleavedMedians(minRuns: Int = 5, maxRuns: Int = 100_000, budget: Double = 0.3,
                                   _ first: () throws -> Void, _ second: () throws -> Void) rethrows -> (Double, Double) {
        _ = try seconds(first)
        _ = try seconds(second)
        var times1: [Double] = [], times2: [Double] = []
        var total = 0.0
        while times1.count < minRuns || (total < 2 * budget && times1.count < maxRuns) {
            let t1 = try seconds(first)
            let t2 = try seconds(second)
            times1.append(t1)
            times2.append(t2)
            total += t1 + t2
        }
        times1.sort()
        times2.sort()
        return (times1[times1.count / 2], times2[times2.count / 2])
    }
}
