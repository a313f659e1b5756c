import BenchReport
import Foundation
import Testing

/// Tests of `Bench/BenchReport`: result files, the regression check and the Markdown/SVG report.
@Suite("Benchmark report and check")
struct BenchReportTests {
    static func record(
        _ suite: String, _ name: String, _ variant: String = "", threads: Int = 1, size: Int? = nil,
        value: Double, peak: Double? = nil, comparison: Comparison? = nil
    ) -> BenchmarkRecord {
        BenchmarkRecord(
            suite: suite, name: name, variant: variant, threads: threads, isa: "avx512", size: size,
            milliseconds: 1000 / value, value: value, unit: suite == "pool" ? "GB/s" : "GFLOP/s",
            peak: peak, comparison: comparison, runs: 11)
    }

    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("benchreport-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("the check compares fractions of the peak where both runs measured one, raw rates otherwise")
    func regressionVerdicts() {
        let baseline = [
            Self.record("gemm", "square 1024", value: 180, peak: 200),  // 90% of peak
            Self.record("gemm", "square 256", value: 100, peak: 200),  // 50%
            Self.record("train", "training b64", value: 4000),
            Self.record("pool", "pool1", "forward", value: 50, peak: 100),
            Self.record("conv", "gone", value: 1),
        ]
        let current = [
            // The machine ran 30% slower: the rate fell, the fraction of its own peak did not.
            Self.record("gemm", "square 1024", value: 126, peak: 140),
            // A real regression: 50% -> 30% of the peak.
            Self.record("gemm", "square 256", value: 60, peak: 200),
            Self.record("train", "training b64", value: 4900),
            Self.record("pool", "pool1", "forward", value: 45, peak: 100),
            Self.record("pool", "pool9", "forward", value: 45, peak: 100),
        ]
        let outcome = RegressionCheck(tolerance: 0.15).compare(baseline: baseline, current: current)
        let verdicts = Dictionary(uniqueKeysWithValues: outcome.findings.map { ($0.key, $0.verdict) })
        #expect(verdicts[current[0].key] == .unchanged)
        #expect(verdicts[current[1].key] == .regressed)
        #expect(verdicts[current[2].key] == .improved)
        #expect(verdicts[current[3].key] == .unchanged)
        #expect(outcome.findings.first { $0.key == current[1].key }?.basis == "fraction of peak")
        #expect(
            outcome.findings.first { $0.key == current[2].key }?.basis == "images/s" || outcome.findings.first { $0.key == current[2].key }?.basis == "GFLOP/s")
        #expect(outcome.missing == [baseline[4].key])
        #expect(outcome.new == [current[4].key])
        #expect(!outcome.passed)
        #expect(RegressionCheck(tolerance: 0.5).compare(baseline: baseline, current: current).passed)
    }

    @Test("a results file round-trips; a missing file, bad JSON or another format throws naming the path")
    func documentFiles() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let document = BenchmarkDocument(
            command: "convbench gemm", date: "2026-11-22T00:00:00Z", machine: "test",
            records: [Self.record("gemm", "square 64", size: 64, value: 10, peak: 100)])
        let path = folder.appendingPathComponent("r.json").path
        try document.encoded().write(to: URL(fileURLWithPath: path))
        #expect(try BenchmarkDocument.load(path: path) == document)

        let missing = folder.appendingPathComponent("none.json").path
        #expect(throws: BenchmarkFileError.self) { try BenchmarkDocument.load(path: missing) }
        do { _ = try BenchmarkDocument.load(path: missing) } catch { #expect("\(error)".contains(missing)) }

        let bad = folder.appendingPathComponent("bad.json").path
        try Data("{\"rows\": []}".utf8).write(to: URL(fileURLWithPath: bad))
        do { _ = try BenchmarkDocument.load(path: bad); Issue.record("bad JSON loaded") } catch {
            #expect("\(error)".contains(bad) && "\(error)".contains("not a convbench results file"))
        }
        var future = document
        future.format = 99
        let futurePath = folder.appendingPathComponent("future.json").path
        try future.encoded().write(to: URL(fileURLWithPath: futurePath))
        do { _ = try BenchmarkDocument.load(path: futurePath); Issue.record("format 99 loaded") } catch {
            #expect("\(error)".contains("format 99"))
        }
    }

    @Test("merging keeps the first order and lets a later file replace a row with the same key")
    func merging() {
        let a = BenchmarkDocument(
            command: "a", date: "d", machine: "m",
            records: [Self.record("gemm", "x", value: 1), Self.record("gemm", "y", value: 2)])
        let b = BenchmarkDocument(
            command: "b", date: "d", machine: "m",
            records: [Self.record("gemm", "x", value: 3), Self.record("pool", "z", value: 4)])
        #expect(BenchmarkDocument.merged([a, b]).map(\.value) == [3, 2, 4])
    }

    @Test("the report writes tables and charts per suite and replaces only its own section of Benchmarks.md")
    func reportSplicesIntoExistingFile() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let openblas = Comparison(name: "OpenBLAS (SkylakeX)", milliseconds: 2, speedup: 0.8, measuredInSameRun: true)
        var records: [BenchmarkRecord] = []
        for size in [64, 128, 256] {
            for t in [1, 2] {
                let value = Double(size / 4 * t), peak = 150.0 * Double(t)
                records.append(Self.record("gemm", "square \(size)", "NN", threads: t, size: size, value: value, peak: peak, comparison: openblas))
            }
        }
        records += [
            Self.record("gemm", "conv2 fwd", "NN", value: 120, peak: 150),
            Self.record("conv", "conv1", "forward direct", value: 60, peak: 150),
            Self.record("conv", "conv1", "forward im2col", value: 40, peak: 150),
            Self.record("pool", "pool1 2x2 max", "forward", value: 20, peak: 40),
        ]
        let document = BenchmarkDocument(command: "convbench all", date: "2026-11-22", machine: "test machine", records: records)
        let md = folder.appendingPathComponent("Benchmarks.md").path
        let prose = "# Benchmarks\n\nHand-written introduction.\n"
        try Data(prose.utf8).write(to: URL(fileURLWithPath: md))

        let written = try BenchmarkReport.write([document], to: folder.path)
        let names = Set(written.map { ($0 as NSString).lastPathComponent })
        #expect(names == ["bench-gemm-square.svg", "bench-gemm-conv-shaped.svg", "bench-conv-1t.svg", "bench-pool.svg", "Benchmarks.md"])
        var text = try String(contentsOfFile: md, encoding: .utf8)
        #expect(text.hasPrefix(prose))
        #expect(text.contains("![gemm](figures/bench-gemm-square.svg)"))
        #expect(text.contains("| square 256 | NN | 2 | avx512 |"))
        #expect(text.contains("`convbench all` on 2026-11-22, test machine"))
        let square = try String(contentsOfFile: folder.appendingPathComponent("figures/bench-gemm-square.svg").path, encoding: .utf8)
        #expect(square.components(separatedBy: "<polyline").count - 1 == 4, "ConvKit and OpenBLAS lines for 1 and 2 threads")
        #expect(square.contains("FMA ceiling, 2 threads: 300"))

        // Edit the prose after the section, change the data, write again: the prose stays, the table changes.
        try Data((text + "\nClosing words.\n").utf8).write(to: URL(fileURLWithPath: md))
        var changed = document
        changed.records[0].value = 999
        try BenchmarkReport.write([changed], to: folder.path)
        text = try String(contentsOfFile: md, encoding: .utf8)
        #expect(text.hasPrefix(prose))
        #expect(text.hasSuffix("\nClosing words.\n"))
        #expect(text.components(separatedBy: BenchmarkReport.beginMarker).count == 2, "one generated section")
        #expect(text.contains("999.0 GFLOP/s"))
    }
}

extension BenchReportTests {
    @Test("a same-run comparison is compared before the peak, and best-of keeps each key's best round")
    func sameRunComparisonAndBestOf() {
        func gemm(_ value: Double, speedup: Double) -> BenchmarkRecord {
            Self.record(
                "gemm", "square 512", value: value, peak: 100,
                comparison: Comparison(name: "OpenBLAS", milliseconds: 1, speedup: speedup, measuredInSameRun: true))
        }
        // The rate fell by half with the machine, the speedup over OpenBLAS held.
        let outcome = RegressionCheck(tolerance: 0.1).compare(baseline: [gemm(80, speedup: 1.0)], current: [gemm(40, speedup: 0.95)])
        #expect(outcome.passed)
        #expect(outcome.findings.first?.basis == "speedup over OpenBLAS")
        let best = RegressionCheck.bestOf([
            [gemm(80, speedup: 0.9), Self.record("pool", "p", value: 5, peak: 10)],
            [gemm(50, speedup: 1.1), Self.record("pool", "p", value: 7, peak: 10)],
        ])
        #expect(best.map { $0.comparison?.speedup ?? $0.value } == [1.1, 7])
    }
}
