import ArgumentParser
import BenchReport
import Foundation

/// `convbench check`: runs a short subset of the suites and compares it with a saved baseline,
/// printing what regressed; exits with status 1 when something did. For use before merging a
/// kernel change (not in CI: shared machines are too noisy for a fixed threshold).
struct CheckBenchmarks: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run a short benchmark subset and compare it with a baseline JSON; exit 1 on a regression.",
        discussion: """
            Make a baseline on the main branch:   convbench check --write-baseline base.json
            Then on the change:                   convbench check --baseline base.json
            Compare two saved runs without timing: convbench check --baseline base.json --current new.json
            Each row keeps its best of --rounds rounds. GEMM rows compare the speedup over OpenBLAS timed
            alternately in the same run; other rows the rate of their fastest run as a fraction of the FMA
            ceiling (compute-bound) or of the copy bandwidth (memory-bound) measured in the same run.
            On a shared machine, repeat a failing check before believing it (Docs/Benchmarks.md).
            """)

    @OptionGroup var options: BenchOptions

    @Option(name: .long, help: "Baseline results (a file from --write-baseline or any convbench --json).")
    var baseline: String?

    @Option(name: .long, help: "Compare this saved run instead of running the subset.")
    var current: String?

    @Option(name: .long, help: "Run the subset and save it here as a new baseline (no comparison).")
    var writeBaseline: String?

    @Option(name: .long, help: "Rounds of the subset; each row keeps its best round.")
    var rounds = 3

    @Option(name: .long, help: "Allowed drop as a fraction (0.15 = a row may fall to 85% of its baseline).")
    var tolerance = 0.15

    /// The subset: two square GEMMs and a conv-shaped one, the CIFAR-10 convolutions (auto), the
    /// two CIFAR-10 pooling layers, and training at batch 64.
    static let subset: [String: [String]] = [
        "gemm": ["--sizes", "256", "1024", "--only", "square"],
        "conv": ["--cifar-only", "--algorithms", "auto", "--small-batches", "none"],
        "pool": ["--cases", "pool1", "pool2", "--small-batches", "none"],
        "train": ["--batches", "64", "--no-inference"],
    ]

    func validate() throws {
        guard (baseline == nil) != (writeBaseline == nil) else {
            throw ValidationError("give exactly one of --baseline FILE (compare) and --write-baseline FILE (record)")
        }
        guard current == nil || baseline != nil else { throw ValidationError("--current needs --baseline") }
        guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1, got \(rounds)") }
        guard tolerance >= 0 && tolerance < 1 else { throw ValidationError("--tolerance must be in [0, 1), got \(tolerance)") }
    }

    func run() throws {
        let base = try baseline.map { try BenchmarkDocument.load(path: $0) }
        let records: [BenchmarkRecord]
        if let current {
            records = try BenchmarkDocument.load(path: current).records
        } else {
            let suites = try AllBenchmarks.suites(options: options, arguments: Self.subset)
            records = RegressionCheck.bestOf(
                try (1...rounds).map { round in
                    try suites.flatMap { name, suite -> [BenchmarkRecord] in
                        print("\n== check round \(round) of \(rounds): \(name)")
                        return try suite.measure()
                    }
                })
            try ResultsFile.save(records, to: writeBaseline ?? options.json)
        }
        guard let base else { return }
        let outcome = RegressionCheck(tolerance: tolerance).compare(baseline: base.records, current: records)
        print("\ncompared with \(baseline!) (\(base.command), \(base.date)); tolerance \(Int((tolerance * 100).rounded()))%")
        for f in outcome.findings.sorted(by: { $0.ratio < $1.ratio }) {
            let mark = f.verdict == .regressed ? "REGRESSED" : f.verdict == .improved ? "improved" : "ok"
            print(String(format: "%-10@ %6.2fx  %@  (%@: %.4g -> %.4g)", mark, f.ratio, f.key, f.basis, f.baseline, f.current))
        }
        for key in outcome.missing { print("missing    \(key) (in the baseline, not measured now)") }
        for key in outcome.new { print("new        \(key) (not in the baseline)") }
        if outcome.passed {
            print("check passed: \(outcome.findings.count) rows within \(Int((tolerance * 100).rounded()))% or better")
        } else {
            print("check FAILED: \(outcome.regressions.count) of \(outcome.findings.count) rows regressed")
            throw ExitCode(1)
        }
    }
}
