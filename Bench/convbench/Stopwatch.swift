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
    static func median(minRuns: Int = 5, maxRuns: Int = 200, budget: Double = 0.3,
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
}
