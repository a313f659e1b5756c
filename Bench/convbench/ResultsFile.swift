import BenchReport
import ConvKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#endif
import Foundation

/// Writes `--json` files: the records with the command line, the date and the machine.
enum ResultsFile {
    static func document(_ records: [BenchmarkRecord]) -> BenchmarkDocument {
        let command = (["convbench"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        let date = ISO8601DateFormatter().string(from: Date())
        return BenchmarkDocument(command: command, date: date, machine: machineDescription, records: records)
    }

    static func save(_ records: [BenchmarkRecord], to path: String?) throws {
        guard let path else { return }
        try document(records).encoded().write(to: URL(fileURLWithPath: path))
        print("wrote \(records.count) records to \(path)")
    }

    /// "CPU model, N cores, ISAs avx512,avx2,generic".
    static var machineDescription: String {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model =
            cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" } ?? "unknown CPU"
        return "\(model), \(ProcessInfo.processInfo.activeProcessorCount) cores, ISAs \(ISA.supported.map(\.rawValue).joined(separator: ","))"
    }
}
