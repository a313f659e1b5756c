import BenchKernels
import ConvKit

/// The machine's FMA ceiling for one ISA, measured in this process: every thread runs the
/// ISA's register-only FMA loop (no loads), and the ceiling is total FLOPs over wall time.
enum FMACeiling {
    /// GFLOP/s of `threads` threads running the FMA loop of `isa` at the same time: the fastest
    /// of at least 5 runs and `minTime` seconds (a ceiling is what the machine can do).
    static func measure(isa: ISA, threads: Int, iterations: Int = 1_000_000, minTime: Double = 0.1) -> Double {
        var flops = 0
        let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: threads)
        defer { counts.deallocate() }
        let box = CountsBox(counts)
        let time = Timing(runs: 5, minTime: minTime).measure {
            Parallel.forEach(threads, threads: threads) { t in
                var sink: Float = 0
                let done: Int
                switch isa {
                case .avx512: done = bench_f32_fma_peak__avx512(iterations, &sink)
                case .avx2: done = bench_f32_fma_peak__avx2(iterations, &sink)
                case .generic: done = bench_f32_fma_peak__generic(iterations, &sink)
                }
                box.counts[t] = sink.isNaN ? 0 : done
            }
            flops = counts.reduce(0, +)
        }
        return Double(flops) / time.best * 1e-9
    }

    /// The ceiling of the ISA `kernel` runs on.
    static func measure(kernel: GEMMMicrokernel, threads: Int, iterations: Int = 1_000_000, minTime: Double = 0.1) -> Double {
        measure(isa: kernel.isa, threads: threads, iterations: iterations, minTime: minTime)
    }
}

private struct CountsBox: @unchecked Sendable {
    let counts: UnsafeMutableBufferPointer<Int>
    init(_ counts: UnsafeMutableBufferPointer<Int>) { self.counts = counts }
}
