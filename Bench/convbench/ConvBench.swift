import ArgumentParser

/// `convbench`: ConvKit's microbenchmarks. Run in release: `swift run -c release convbench gemm`.
@main
struct ConvBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convbench",
        abstract: "ConvKit microbenchmarks: GFLOP/s and the fraction of the measured FMA ceiling.",
        subcommands: [GEMMBenchmark.self, ConvBenchmark.self, PoolBenchmark.self, TrainBenchmark.self, MicrokernelBenchmark.self])
}
