import ArgumentParser

/// `convbench`: ConvKit's microbenchmarks. Run in release: `swift run -c release convbench all`.
@main
struct ConvBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convbench",
        abstract: "ConvKit microbenchmarks: time, GFLOP/s or GB/s, the fraction of the peak measured in the same run, and comparisons.",
        subcommands: [
            PeakBenchmark.self, GEMMBenchmark.self, ConvBenchmark.self, PoolBenchmark.self, LayerBenchmark.self, TrainBenchmark.self,
            AllBenchmarks.self, ReportCommand.self, CheckBenchmarks.self, MicrokernelBenchmark.self,
        ])
}
