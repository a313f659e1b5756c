import Foundation
import Testing

/// The `cifar10` command as a user runs it: the built executable beside the test bundle, on a
/// small CIFAR-10 folder the tests write (5 x 12 training and 12 test records).
@Suite("cifar10 command line")
struct CommandLineTests {
    /// An executable of this build (the test bundle's folder holds the products).
    static func product(_ name: String) -> String? {
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [folder, folder.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        let build = FileManager.default.currentDirectoryPath + "/.build/release/" + name
        return FileManager.default.isExecutableFile(atPath: build) ? build : nil
    }

    static let executable = product("cifar10")

    struct Result { var status: Int32; var output: String; var errors: String }

    static func run(_ arguments: [String], environment: [String: String] = [:], product name: String = "cifar10") throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(product(name), "no \(name) executable next to the tests"))
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["CONVKIT_NUM_THREADS"] = "2"
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, output: String(decoding: outData, as: UTF8.self),
            errors: String(decoding: errData, as: UTF8.self))
    }

    /// A CIFAR-10 folder of 60 training and 12 test images.
    static func folder() throws -> String {
        let dir = NSTemporaryDirectory() + "/cifar10-cli-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (f, name) in (["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"]).enumerated() {
            var bytes: [UInt8] = []
            for r in 0..<12 {
                bytes.append(UInt8((r + f) % 10))
                bytes += (0..<3072).map { UInt8(($0 * 7 + r * 13 + f) % 256) }
            }
            try Data(bytes).write(to: URL(fileURLWithPath: dir + "/" + name))
        }
        return dir
    }

    @Test(
        "bad options stop the command before any data is read or epoch runs, naming the option as typed",
        .enabled(if: executable != nil, "the cifar10 executable is not built next to the tests"))
    func badOptions() throws {
        let data = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let cases: [([String], String)] = [
            (["--epochs=-1"], "--epochs must be at least 1, got -1"),
            (["--epochs", "-1"], "--epochs must be at least 1, got -1"),
            (["--batch-size", "0"], "--batch-size must be at least 1, got 0"),
            (["--batch-size", "10000000000"], "--batch-size must be between 1 and 60 (the training images), got 10000000000"),
            (["--batch-size", "9223372036854775807"], "--batch-size must be between 1 and 60"),
            (["--threads", "-2"], "--threads must be at least 1, got -2"),
            (["--save", data + "/missing/model.convnn"], "--save: cannot write '\(data)/missing/model.convnn': the folder '\(data)/missing' does not exist"),
            (["--history", data], "--history: '\(data)' is a folder"),
            (["--plot", "/proc/plot.svg"], "--plot: cannot write '/proc/plot.svg'"),
            (["--checkpoint", data + "/missing/run.ckpt"], "--checkpoint: cannot write"),
            (["--resume", data + "/none.ckpt"], "--resume: '\(data)/none.ckpt' does not exist"),
        ]
        for (options, message) in cases {
            let r = try Self.run(["train", "--data", data, "--epochs", "1"] + options)
            #expect(r.status != 0, "\(options)")
            #expect(r.errors.contains("Error: " + message), "\(options): \(r.errors)")
            #expect(!r.output.contains("Epoch"), "\(options) trained before failing")
        }
        let file = try Self.run(["train", "--data", data + "/test_batch.bin"])
        #expect(file.errors.contains("is a file, not a folder"), "\(file.errors)")
    }

    @Test(
        "a log gets one line per epoch (no carriage returns), '1 epoch' reads right, and CONVKIT_ISA is honoured",
        .enabled(if: executable != nil, "the cifar10 executable is not built next to the tests"))
    func logOutput() throws {
        let data = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let r = try Self.run(["train", "--data", data, "--epochs", "1", "--batch-size", "16"], environment: ["CONVKIT_ISA": "generic"])
        #expect(r.status == 0, "\(r.errors)")
        #expect(!r.output.contains("\r"))
        #expect(r.output.contains("Epoch 1: ") && r.output.contains("1 epoch,") && r.output.contains("after 1 epoch:"), "\(r.output)")
        #expect(r.output.contains("ISA generic"), "\(r.output)")
    }

    @Test(
        "--checkpoint then --resume gives the uninterrupted run's model file byte for byte",
        .enabled(if: executable != nil, "the cifar10 executable is not built next to the tests"))
    func checkpointResume() throws {
        let data = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let common = ["train", "--data", data, "--batch-size", "16", "--seed", "3"]
        #expect(try Self.run(common + ["--epochs", "3", "--save", data + "/a.convnn"]).status == 0)
        #expect(try Self.run(common + ["--epochs", "1", "--checkpoint", data + "/run.ckpt"]).status == 0)
        let resumed = try Self.run(common + ["--epochs", "3", "--resume", data + "/run.ckpt", "--save", data + "/b.convnn"])
        #expect(resumed.status == 0, "\(resumed.errors)")
        #expect(resumed.output.contains("Resuming") && !resumed.output.contains("Epoch 1:") && resumed.output.contains("Epoch 3:"))
        let a = try Data(contentsOf: URL(fileURLWithPath: data + "/a.convnn"))
        let b = try Data(contentsOf: URL(fileURLWithPath: data + "/b.convnn"))
        #expect(a == b)
        let other = try Self.run(common.dropLast(2) + ["--seed", "4", "--epochs", "3", "--resume", data + "/run.ckpt"])
        #expect(other.errors.contains("--resume: ") && other.errors.contains("seed"), "\(other.errors)")
        // Nothing temporary left in the folder.
        let left = try FileManager.default.contentsOfDirectory(atPath: data).filter { $0.hasPrefix(".") }
        #expect(left.isEmpty, "\(left)")
    }
}
