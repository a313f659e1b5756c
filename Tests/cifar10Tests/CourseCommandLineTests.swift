import Foundation
import Testing

/// The `course` command as a user runs it (the built executable), on small files the tests write.
@Suite("course command line")
struct CourseCommandLineTests {
    static let executable = CommandLineTests.product("course")

    static func run(_ arguments: [String]) throws -> CommandLineTests.Result {
        try CommandLineTests.run(arguments, product: "course")
    }

    /// A digits CSV of `lines` (or 40 generated lines).
    static func csv(_ lines: [String]? = nil) throws -> String {
        let path = NSTemporaryDirectory() + "/course-digits-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).csv"
        let rows = lines ?? (0..<40).map { r in ((0..<64).map { String(($0 * 3 + r * 5) % 17) } + [String(r % 10)]).joined(separator: ",") }
        try Data((rows.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("bad digits data stops the command at once, naming the file, the line and the value", .enabled(if: executable != nil, "course is not built"))
    func badDigits() throws {
        let good = (0..<64).map { _ in "1" }.joined(separator: ",")
        for (lines, expected) in [
            ([good + ",3", (0..<63).map { _ in "1" }.joined(separator: ",") + ",3"], "line 2: has 64 values, expected 65"),
            ([good + ",10"], "line 1: label 10 is outside 0...9"),
            ([good.replacingOccurrences(of: "1,1,1", with: "1,17,1", options: [], range: good.range(of: "1,1,1")) + ",3"], "pixel 2: 17 is outside 0...16"),
            ([good + ",x"], "line 1, value 65: 'x' is not a whole number"),
        ] {
            let path = try Self.csv(lines)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let r = try Self.run(["digits", "--data", path, "--epochs", "1"])
            #expect(r.status != 0 && r.errors.contains(path) && r.errors.contains(expected), "\(r.errors)")
        }
        let missing = try Self.run(["digits", "--data", "/nonexistent/digits.csv"])
        #expect(missing.status != 0 && missing.errors.contains("--data: '/nonexistent/digits.csv' does not exist"), "\(missing.errors)")
        let badRate = try Self.run(["digits", "--data", "/nonexistent.csv", "--learning-rates", "0.1,-1"])
        #expect(badRate.status != 0 && badRate.errors.contains("--learning-rates"), "\(badRate.errors)")
    }

    @Test(
        "a small grid prints one line per cell, writes the heatmaps and the report, and repeats bitwise with other threads",
        .enabled(if: executable != nil, "course is not built"))
    func smallGrid() throws {
        let path = try Self.csv()
        let folder = NSTemporaryDirectory() + "/course-plots-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer {
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: folder)
        }
        let arguments = ["digits", "--data", path, "--epochs", "3", "--batch-size", "8", "--learning-rates", "0.01,0.1", "--lambdas", "1e-4 1"]
        let first = try Self.run(arguments + ["--threads", "2", "--plot", folder, "--json", folder + "/cells.json", "--report", folder + "/report.md"])
        #expect(first.status == 0, "\(first.errors)")
        #expect(first.output.components(separatedBy: "\n").filter { $0.hasPrefix("cell ") }.count == 4)
        for file in ["digits-dense-train.svg", "digits-dense-test.svg", "cells.json", "report.md"] {
            #expect(FileManager.default.fileExists(atPath: folder + "/" + file), "\(file)")
        }
        let report = try String(contentsOfFile: folder + "/report.md", encoding: .utf8)
        #expect(report.contains("<!-- course digits dense: begin") && report.contains("swift run -c release course digits"))
        let cells = try Data(contentsOf: URL(fileURLWithPath: folder + "/cells.json"))
        let second = try Self.run(arguments + ["--threads", "1", "--parallelism", "batch", "--json", folder + "/again.json"])
        #expect(second.status == 0)
        struct Cell: Decodable, Equatable { var learningRate: Float; var lambda: Float; var trainingAccuracy: Double; var testAccuracy: Double }
        let a = try JSONDecoder().decode([Cell].self, from: cells)
        let b = try JSONDecoder().decode([Cell].self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/again.json")))
        #expect(a == b && a.count == 4)
    }

    @Test("gates prints the truth table, the weights and when every pattern was right", .enabled(if: executable != nil, "course is not built"))
    func gates() throws {
        let r = try Self.run(["gates", "--gate", "xor", "--seeds", "3"])
        #expect(r.status == 0, "\(r.errors)")
        #expect(r.output.contains("a  b | target  output") && r.output.contains("every pattern right after epoch"))
        #expect(r.output.contains("dense/kernel [2, 4]") && r.output.contains("3 of 3 seeds learned every pattern"), "\(r.output)")
        let bad = try Self.run(["gates", "--loss", "hinge"])
        #expect(bad.status != 0 && bad.errors.contains("--loss must be bce or mse"))
    }

    @Test(
        "mnist trains on a small IDX folder and prints the confusion matrix; a bad folder names --data", .enabled(if: executable != nil, "course is not built"))
    func mnist() throws {
        let folder = NSTemporaryDirectory() + "/course-mnist-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let n = 60
        var images: [UInt8] = [0, 0, 8, 3, 0, 0, 0, UInt8(n), 0, 0, 0, 28, 0, 0, 0, 28]
        var labels: [UInt8] = [0, 0, 8, 1, 0, 0, 0, UInt8(n)]
        for i in 0..<n {
            labels.append(UInt8(i % 10))
            images += (0..<784).map { p in p % 10 == i % 10 ? 200 : 0 }
        }
        try Data(images).write(to: URL(fileURLWithPath: folder + "/train-images-idx3-ubyte"))
        try Data(labels).write(to: URL(fileURLWithPath: folder + "/train-labels-idx1-ubyte"))
        let r = try Self.run(["mnist", "--data", folder, "--epochs", "2", "--training", "40", "--validation", "20", "--plot", folder])
        #expect(r.status == 0, "\(r.errors)")
        #expect(r.output.contains("Confusion matrix") && r.output.contains("Validation accuracy"), "\(r.output)")
        #expect(FileManager.default.fileExists(atPath: folder + "/mnist-confusion.svg"))
        let tooMany = try Self.run(["mnist", "--data", folder, "--training", "50", "--validation", "20"])
        #expect(tooMany.status != 0 && tooMany.errors.contains("exceed the 60 images"), "\(tooMany.errors)")
        let missing = try Self.run(["mnist", "--data", folder + "/nothing"])
        #expect(missing.status != 0 && missing.errors.contains("--data: MNIST file"), "\(missing.errors)")
    }
}
