import ArgumentParser
import BenchReport

/// `convbench report`: saved `--json` results into `Benchmarks.md` tables and SVG charts.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Turn saved results into Markdown tables and SVG charts (DIR/Benchmarks.md, DIR/figures/bench-*.svg).",
        discussion: "The tables go between the report markers of DIR/Benchmarks.md (appended if it has none); the prose around them is kept.")

    @Option(name: .long, parsing: .upToNextOption, help: "Result files written by convbench --json; later files win on duplicate rows.")
    var json: [String]

    @Option(name: .long, help: "Folder to write into (e.g. Docs).")
    var out: String

    func run() throws {
        let documents = try json.map { try BenchmarkDocument.load(path: $0) }
        let written = try BenchmarkReport.write(documents, to: out)
        for path in written { print("wrote \(path)") }
    }
}
