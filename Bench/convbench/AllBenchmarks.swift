import ArgumentParser
import BenchReport

/// `convbench all`: peak, gemm, conv, pool, layers and train with their default cases and the shared
/// options, into one table stream and one JSON file.
struct AllBenchmarks: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "all", abstract: "Run peak, gemm, conv, pool, layers and train with default cases; one --json file for all.")

    @OptionGroup var options: BenchOptions

    func run() throws {
        var records: [BenchmarkRecord] = []
        for (name, suite) in try Self.suites(options: options, arguments: [:]) {
            print("\n== convbench \(name)")
            records += try suite.measure()
        }
        try ResultsFile.save(records, to: options.json)
    }

    /// Each suite parsed from its own `arguments` (default: none), with the shared options put in.
    static func suites(options: BenchOptions, arguments: [String: [String]]) throws -> [(String, any BenchSuite)] {
        func make<S: ParsableCommand & BenchSuite>(_ type: S.Type, _ name: String) throws -> (String, any BenchSuite) {
            var suite = try S.parse(arguments[name] ?? [])
            suite.options = options
            return (name, suite)
        }
        let all: [(String, any BenchSuite)] = [
            try make(PeakBenchmark.self, "peak"), try make(GEMMBenchmark.self, "gemm"), try make(ConvBenchmark.self, "conv"),
            try make(PoolBenchmark.self, "pool"), try make(LayerBenchmark.self, "layers"), try make(TrainBenchmark.self, "train"),
        ]
        return arguments.isEmpty ? all : all.filter { arguments[$0.0] != nil }
    }
}
