import ConvKit

/// The machine's FMA ceiling for one ISA, measured in this process: every thread runs the
/// ISA's register-only FMA loop (no loads), and the ceiling is total FLOPs over wall time.
enum FMACeiling {
    /// GFLOP/s of `threads` threads running the FMA loop of `kernel`'s ISA at the same time.
    static func measure(kernel: GEMMMicrokernel, threads: Int, iterations: Int = 1_000_000,
                        budget: Double = 0.1) -> Double {
        var flops = 0
        let time = Stopwatch.median(minRuns: 5, budget: budget) {
            let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: threads)
            defer { counts.deallocate() }
            let box = CountsBox(counts)
            Parallel.forEach(threads, threads: threads) { t in
                box.counts[t] = kernel.runPeakLoop(iterations: iterations)
            }
            flops = counts.reduce(0, +)
        }
        return Double(flops) / time * 1e-9
    }
}

private struct CountsBox: @unchecked Sendable {
    let counts: UnsafeMutableBufferPointer<Int>
    init(_ counts: UnsafeMutableBufferPointer<Int>) { self.counts = counts }
}
