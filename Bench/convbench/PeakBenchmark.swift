import ArgumentParser
import BenchReport
import ConvKit

/// `convbench peak`: the ceilings every other table is measured against: the FMA loop of each
/// ISA this machine runs, and the copy bandwidth, per thread count.
struct PeakBenchmark: ParsableCommand, BenchSuite {
    static let configuration = CommandConfiguration(
        commandName: "peak", abstract: "The FMA ceiling of each ISA (GFLOP/s) and the copy bandwidth (GB/s), per thread count.")

    @OptionGroup var options: BenchOptions

    func run() throws { try measureAndSave() }

    func measure() throws -> [BenchmarkRecord] {
        var records: [BenchmarkRecord] = []
        // One row per ISA (the registry lists several tiles of one ISA; their FMA loops are the same).
        let isas = options.isa == nil ? ISA.supported.sorted(by: >) : [try options.isaLevel()]
        print("peak                 ISA       thr      value")
        for t in options.threadCounts {
            for isa in isas {
                let gflops = FMACeiling.measure(isa: isa, threads: t, iterations: 4_000_000, minTime: max(0.2, options.minTime))
                records.append(
                    BenchmarkRecord(
                        suite: "peak", name: "FMA ceiling", threads: t, isa: isa.rawValue,
                        milliseconds: 0, value: gflops, unit: "GFLOP/s", runs: 5,
                        note: "register-only FMA loop, \(isa.rawValue)"))
                print(
                    String(
                        format: "%@ %@ %3d %10.1f GFLOP/s", "FMA ceiling".padding(toLength: 20, withPad: " ", startingAt: 0),
                        isa.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0), t, gflops))
            }
            let copy = CopyBandwidth.measure(threads: t, minTime: max(0.3, options.minTime))
            records.append(
                BenchmarkRecord(
                    suite: "peak", name: "copy bandwidth", threads: t, isa: "-", milliseconds: 0,
                    value: copy, unit: "GB/s", runs: 5, note: "memcpy of 64 MiB, bytes read + written"))
            print(
                String(
                    format: "%@ %@ %3d %10.1f GB/s", "copy bandwidth".padding(toLength: 20, withPad: " ", startingAt: 0),
                    "-".padding(toLength: 9, withPad: " ", startingAt: 0), t, copy))
        }
        return records
    }
}
