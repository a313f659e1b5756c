import ArgumentParser
import ConvKit
import Dispatch
import Foundation
import OpenMPRuntime
#if canImport(Glibc)
import Glibc
#endif

/// `omp-vs-dispatch`: ConvKit's GEMM and convolution with their parallel regions run by two thread
/// runtimes (by default plain Dispatch, `DispatchQueue.concurrentPerform`, against OpenMP; `--baseline`
/// and `--candidate` pick others, such as ConvKit's default spinning Dispatch pool), timed in
/// alternating blocks, on each thread count; plus the bare fork/join cost of an empty region.
@main
struct OMPVsDispatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "omp-vs-dispatch",
        abstract: "ConvKit on two thread runtimes (Dispatch, spinning Dispatch, OpenMP): wall time and CPU time per call, 1 and 2 threads.")

    @Option(name: .long, help: "Baseline runtime: dispatch (plain concurrentPerform), spin (ConvKit's default: Dispatch helpers that spin 1000 us), spin:US, or openmp.")
    var baseline = "dispatch"

    @Option(name: .long, help: "Candidate runtime, as --baseline; the speedup is baseline time / candidate time.")
    var candidate = "openmp"

    @Option(name: .long, help: "Thread counts, comma-separated.")
    var threads = "1,2"

    @Option(name: .long, parsing: .upToNextOption, help: "Square GEMM sizes.")
    var sizes: [Int] = [16, 32, 64, 128, 256, 512, 1024]

    @Option(name: .long, help: "Groups to run: comma-separated of fork/join, sgemm, conv.")
    var groups = "fork/join,sgemm,conv"

    @Option(name: .long, help: "Seconds of timed calls per block.")
    var blockTime = 0.05

    @Option(name: .long, help: "Rounds per row; each round times one block per runtime, in the order ABBA.")
    var rounds = 8

    @Option(name: .long, help: "Seconds to sleep before each block, so the other runtime's spinning threads go idle first.")
    var settle = 0.25

    func run() throws {
        let threadCounts = threads.split(separator: ",").compactMap { Int($0) }
        guard !threadCounts.isEmpty, threadCounts.allSatisfy({ (1...4).contains($0) }) else {
            throw ValidationError("--threads takes counts from 1 to 4 separated by commas, got '\(threads)'")
        }
        let wanted = Set(groups.split(separator: ",").map(String.init))
        var cases: [Case] = []
        if wanted.contains("fork/join") { cases += Cases.regions() }
        if wanted.contains("sgemm") { cases += try Cases.gemm(sizes: sizes) }
        if wanted.contains("conv") { cases += try Cases.convolution() }
        guard rounds >= 1, blockTime > 0, settle >= 0 else { throw ValidationError("--rounds >= 1, --block-time > 0 and --settle >= 0") }
        guard !cases.isEmpty else { throw ValidationError("--groups '\(groups)' names none of fork/join, sgemm, conv") }

        let runtimes = [try Self.runtime(named: baseline), try Self.runtime(named: candidate)]
        let previous = Parallel.runtime
        defer { Parallel.runtime = previous }
        let env = ProcessInfo.processInfo.environment
        print("OpenMP \(ck_omp_version()) (libomp), omp_get_max_threads \(ck_omp_max_threads()), KMP_BLOCKTIME=\(env["KMP_BLOCKTIME"] ?? "default (200 ms)"), OMP_WAIT_POLICY=\(env["OMP_WAIT_POLICY"] ?? "default")")
        print("ConvKit ISA \(ISA.best); \(rounds) rounds of one \(blockTime) s block per runtime (ABBA order); speedup = median of the rounds' ratios")
        print("")
        print("A = \(runtimes[0].name), B = \(runtimes[1].name)")
        print("group      case                          thr        A us       B us   B speedup (rounds min-max)     CPU us/call A       B")
        for c in cases {
            for t in threadCounts {
                let (dispatch, openmp, ratios) = try alternate(c, threads: t, runtimes: runtimes)
                let d = dispatch.median, o = openmp.median
                let speedup = ratios[ratios.count / 2], low = ratios.first!, high = ratios.last!
                let cpuD = dispatch.cpuPerCall * 1e6, cpuO = openmp.cpuPerCall * 1e6
                var line = pad(c.group, 10) + pad(c.name, 30) + pad("\(t)", 4)
                line += String(format: "%11.2f %10.2f", d * 1e6, o * 1e6)
                line += String(format: "  %10.2fx  (%.2f-%.2f)", speedup, low, high)
                line += String(format: "  %15.2f %7.2f", cpuD, cpuO)
                print(line)
            }
        }
    }

    struct Result {
        var times: [Double] = []
        var cpuSeconds = 0.0
        var median: Double { times.sorted()[times.count / 2] }
        var cpuPerCall: Double { cpuSeconds / Double(times.count) }
    }

    /// `rounds` rounds of one block per runtime (the baseline first in even rounds, the candidate
    /// first in odd ones, so a steady drift of the machine's speed favours neither), each block after
    /// `settle` seconds of sleep. Returns all calls of each runtime and the sorted per-round ratios
    /// (baseline median / candidate median).
    func alternate(_ c: Case, threads: Int, runtimes: [ParallelRuntime]) throws -> (Result, Result, [Double]) {
        var results = [Result(), Result()]
        var ratios: [Double] = []
        for runtime in runtimes {   // warm-up, untimed
            Parallel.runtime = runtime
            for _ in 0..<3 { try c.body(runtime.name, threads) }
        }
        for round in 0..<rounds {
            var roundMedians = [0.0, 0.0]
            for i in (round % 2 == 0 ? [0, 1] : [1, 0]) {
                let runtime = runtimes[i]
                Parallel.runtime = runtime
                usleep(UInt32(settle * 1e6))
                let cpuStart = ck_process_cpu_seconds()
                var total = 0.0
                var block = Result()
                while block.times.count < 5 || total < blockTime {
                    let start = DispatchTime.now().uptimeNanoseconds
                    try c.body(runtime.name, threads)
                    let t = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
                    block.times.append(t)
                    total += t
                }
                results[i].cpuSeconds += ck_process_cpu_seconds() - cpuStart
                results[i].times += block.times
                roundMedians[i] = block.median
            }
            ratios.append(roundMedians[0] / roundMedians[1])
        }
        return (results[0], results[1], ratios.sorted())
    }

    static func runtime(named name: String) throws -> ParallelRuntime {
        switch name {
        case "dispatch": return .dispatch
        case "openmp": return .openMP
        case "spin": return .spinningDispatch()
        default:
            if name.hasPrefix("spin:"), let us = Int(name.dropFirst(5)), us >= 0 { return .spinningDispatch(spinMicroseconds: us) }
            throw ValidationError("unknown runtime '\(name)': use dispatch, spin, spin:MICROSECONDS or openmp")
        }
    }

    func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }
}
