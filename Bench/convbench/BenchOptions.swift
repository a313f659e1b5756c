import ArgumentParser
import BenchReport
import ConvKit

/// The options every `convbench` subcommand shares: thread counts, timing, ISA and JSON output.
struct BenchOptions: ParsableArguments {
    @Option(
        name: .long, parsing: .upToNextOption,
        help: "Thread counts to run, comma- or space-separated (e.g. 1,2).")
    var threads: [String] = ["1,2"]

    @Option(name: .customLong("repeat"), help: "Timed runs per measurement at least (the median is reported).")
    var repeatCount = 11

    @Option(name: .long, help: "Seconds of timed runs per measurement at least (more runs are made until both limits are met).")
    var minTime = 0.2

    @Option(name: .long, help: "Instruction set of ConvKit's kernels: avx512, avx2 or generic (default: CONVKIT_ISA or the best here).")
    var isa: String?

    @Option(name: .long, help: "Write the results as JSON to this file (input of `convbench report` and `convbench check`).")
    var json: String?

    /// The parsed `--threads`.
    var threadCounts: [Int] { listValues(threads).compactMap { Int($0) } }

    var timing: Timing { Timing(runs: repeatCount, minTime: minTime) }

    /// The `--isa` level, else the environment's (`CONVKIT_ISA`), else the best here.
    func isaLevel() throws -> ISA {
        guard let isa else { return try ExecutionContext.fromEnvironment().isa }
        guard let level = ISA(rawValue: isa.lowercased()) else {
            throw ValidationError("--isa must be one of \(ISA.allCases.map(\.rawValue).joined(separator: ", ")), got '\(isa)'")
        }
        guard level.isSupported else {
            throw ValidationError("--isa \(isa) is not supported on this machine (supported: \(ISA.supported.map(\.rawValue).joined(separator: ", ")))")
        }
        return level
    }

    func validate() throws {
        let parts = threads.flatMap { $0.split(separator: ",") }
        guard !parts.isEmpty, parts.allSatisfy({ Int($0.trimmingCharacters(in: .whitespaces)).map { $0 >= 1 } ?? false }) else {
            throw ValidationError("--threads takes positive integers such as 1,2; got \(threads.joined(separator: " "))")
        }
        guard repeatCount >= 1 else { throw ValidationError("--repeat must be at least 1, got \(repeatCount)") }
        guard minTime >= 0 else { throw ValidationError("--min-time must be >= 0 seconds, got \(minTime)") }
        _ = try isaLevel()
    }
}

/// A subcommand that measures something: `all` and `check` run several through this.
protocol BenchSuite {
    var options: BenchOptions { get set }
    /// Runs the suite, printing its table, and returns its records.
    func measure() throws -> [BenchmarkRecord]
}

extension BenchSuite {
    /// Measures, then writes `--json` when given.
    func measureAndSave() throws {
        let records = try measure()
        try ResultsFile.save(records, to: options.json)
    }
}

/// The values of a list option, given comma- or space-separated ("1,2", "1 2" or "1, 2"): every
/// list option of convbench accepts both forms.
func listValues(_ tokens: [String]) -> [String] {
    tokens.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}

/// ``listValues(_:)`` as positive integers.
/// - Throws: a `ValidationError` naming the option and the value that is not one.
func listIntegers(_ tokens: [String], option: String) throws -> [Int] {
    try listValues(tokens).map { value in
        guard let n = Int(value), n > 0 else { throw ValidationError("--\(option) takes positive integers, comma- or space-separated; got '\(value)'") }
        return n
    }
}

/// The batch sizes of `--small-batches` (positive integers, or `none` for no such rows).
func smallBatchSizes(_ tokens: [String]) throws -> [Int] {
    listValues(tokens) == ["none"] ? [] : try listIntegers(tokens, option: "small-batches")
}
