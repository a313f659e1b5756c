import ConvKit
import ConvNN
import Foundation
import Testing

@Suite("ModelFile")
struct ModelFileTests {
    @Test("save and load round-trip bitwise")
    func roundTrip() throws {
        let a = try KerasTutorialCNN.make(seed: 11)
        let b = try KerasTutorialCNN.make(seed: 12)
        let path = NSTemporaryDirectory() + "/convnn-roundtrip-\(getpid()).convnn"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ModelFile.save(a, to: path)
        try ModelFile.load(path, into: b)
        #expect(a.parameters.flatMap { $0.values.map(\.bitPattern) } == b.parameters.flatMap { $0.values.map(\.bitPattern) })
    }

    @Test("loading into a different architecture throws, naming the layer and the shapes")
    func mismatch() throws {
        let path = NSTemporaryDirectory() + "/convnn-mismatch-\(getpid()).convnn"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ModelFile.save(try KerasTutorialCNN.make(), to: path)
        let other = try tutorialVariant(firstFilters: 16, firstActivation: .relu)
        do {
            try ModelFile.load(path, into: other)
            Issue.record("a mismatched architecture loaded")
        } catch let ConvKitError.invalidArgument(_, message) {
            #expect(message.contains("conv2d") && message.contains("[3, 3, 3, 32]") && message.contains("[3, 3, 3, 16]"), "\(message)")
        }
        try #require(FileManager.default.createFile(atPath: path, contents: Data("not a model".utf8)))
        #expect(throws: ConvKitError.self) { try ModelFile.load(path, into: other) }
        #expect(throws: ConvKitError.self) { try ModelFile.load(path + ".missing", into: other) }
    }
}

@Suite("ModelFile integrity")
struct ModelFileIntegrityTests {
    static func temporaryPath(_ name: String) -> String {
        NSTemporaryDirectory() + "/convnn-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).convnn"
    }

    /// The tutorial CNN without the ReLU of its first layer: the same shapes, another model.
    static func withoutFirstReLU() throws -> Sequential { try tutorialVariant(firstFilters: 32, firstActivation: .none) }

    @Test("a file with the same shapes but another layer configuration (no ReLU) is refused, naming the layer and the setting")
    func configurationMismatch() throws {
        let path = Self.temporaryPath("config")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ModelFile.save(try KerasTutorialCNN.make(seed: 1), to: path)
        let other = try Self.withoutFirstReLU()
        let before = other.parameters.flatMap { $0.values.map(\.bitPattern) }
        do {
            try ModelFile.load(path, into: other)
            Issue.record("a file whose first layer has a ReLU loaded into a model without one")
        } catch let ConvKitError.invalidArgument(_, message) {
            #expect(message.contains("conv2d") && message.contains("activation") && message.contains("relu"), "\(message)")
        }
        #expect(other.parameters.flatMap { $0.values.map(\.bitPattern) } == before, "a refused file changed the weights")
    }

    @Test("a flipped tensor byte fails the checksum; a NaN or infinite weight is refused naming its tensor")
    func corruptTensors() throws {
        let path = Self.temporaryPath("corrupt")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let model = try KerasTutorialCNN.make(seed: 2)
        try ModelFile.save(model, to: path)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count - 5] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        do {
            try ModelFile.load(path, into: try KerasTutorialCNN.make())
            Issue.record("a corrupt file loaded")
        } catch let ConvKitError.invalidArgument(_, message) {
            #expect(message.contains("corrupt") && message.contains("CRC-32"), "\(message)")
        }
        for bad in [Float.nan, .infinity, -.infinity] {
            model.parameters[2].value[7] = bad  // conv2d_1's kernel
            try ModelFile.save(model, to: path)
            do {
                try ModelFile.load(path, into: try KerasTutorialCNN.make())
                Issue.record("a file holding \(bad) loaded")
            } catch let ConvKitError.invalidArgument(_, message) {
                #expect(message.contains("conv2d_1/kernel") && message.contains("element 7"), "\(message)")
            }
        }
    }

    @Test("a version 1 file (no checksum) written before checksums existed still loads bitwise")
    func versionOneLoads() throws {
        let path = Self.temporaryPath("v1")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let model = try KerasTutorialCNN.make(seed: 3)
        try ModelFile.save(model, to: path)
        // Rewrites the header as version 1 wrote it: no checksum field.
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(data[8 + i]) << (8 * UInt64(i)) }
        var header = try #require(try JSONSerialization.jsonObject(with: data[16..<(16 + Int(length))]) as? [String: Any])
        header["version"] = 1
        header.removeValue(forKey: "checksum")
        let json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        var v1 = Data("CONVNN01".utf8)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { v1.append(contentsOf: $0) }
        v1.append(json)
        v1.append(data[(16 + Int(length))...])
        try v1.write(to: URL(fileURLWithPath: path))
        let loaded = try KerasTutorialCNN.make(seed: 4)
        try ModelFile.load(path, into: loaded)
        #expect(loaded.parameters.flatMap { $0.values.map(\.bitPattern) } == model.parameters.flatMap { $0.values.map(\.bitPattern) })
    }

    @Test("a save that fails (destination is a non-empty folder, missing folder) throws with the reason and leaves no temporary file")
    func failedSaveLeavesNothing() throws {
        let folder = NSTemporaryDirectory() + "/convnn-save-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: folder + "/model.convnn/inner", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = try KerasTutorialCNN.make()
        #expect(throws: ConvKitError.self) { try ModelFile.save(model, to: folder + "/model.convnn") }
        #expect(throws: ConvKitError.self) { try ModelFile.save(model, to: folder + "/missing/model.convnn") }
        let left = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(left == ["model.convnn"], "left behind: \(left)")
        // An existing file is replaced whole.
        try ModelFile.save(model, to: folder + "/ok.convnn")
        try ModelFile.save(model, to: folder + "/ok.convnn")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["model.convnn", "ok.convnn"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/ok.convnn")).count == (try ModelFile.byteCount(of: model)))
    }

    @Test("checkWritable fails up front for a missing folder, a folder as path, a read-only folder and a full disk, with the OS reason")
    func checkWritable() throws {
        let folder = NSTemporaryDirectory() + "/convnn-check-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func message(_ path: String, bytes: Int = 100) -> String? {
            do { try AtomicFile.checkWritable(path, bytes: bytes, option: "--save"); return nil } catch let ConvKitError.invalidArgument(name, message) {
                #expect(name == "--save")
                return message
            } catch { return "\(error)" }
        }
        #expect(message(folder + "/ok.bin") == nil)
        #expect(message(folder + "/missing/x.bin")?.contains("does not exist") == true)
        #expect(message(folder)?.contains("is a folder") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty, "checkWritable left a file")
        // A read-only folder (root ignores permission bits, so only checked for other users).
        if getuid() != 0 {
            try FileManager.default.createDirectory(atPath: folder + "/ro", withIntermediateDirectories: false)
            chmod(folder + "/ro", 0o555)
            defer { chmod(folder + "/ro", 0o755) }
            #expect(message(folder + "/ro/x.bin")?.contains("Permission denied") == true)
        }
        // "Full disk": the process may not write files past 1 MiB, so allocating 64 MiB fails as
        // a full file system would, with the system's reason.
        signal(SIGXFSZ, SIG_IGN)
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_FSIZE.rawValue), &limit)
        var small = limit
        small.rlim_cur = 1 << 20
        setrlimit(Int32(RLIMIT_FSIZE.rawValue), &small)
        let full = message(folder + "/big.bin", bytes: 64 << 20)
        setrlimit(Int32(RLIMIT_FSIZE.rawValue), &limit)
        #expect(full?.contains("too large") == true, "\(full ?? "no error")")
    }
}

/// The Keras tutorial CNN with another first convolution: a model whose file must not load into
/// the tutorial's (other shapes, or the same shapes with another setting).
func tutorialVariant(firstFilters: Int, firstActivation: Activation) throws -> Sequential {
    try Sequential(input: CIFAR10.shape) {
        try Conv2D(filters: firstFilters, kernelSize: 3, activation: firstActivation)
        try MaxPool2D(poolSize: 2)
        try Conv2D(filters: 64, kernelSize: 3, activation: .relu)
        try MaxPool2D(poolSize: 2)
        try Conv2D(filters: 64, kernelSize: 3, activation: .relu)
        Flatten()
        try Dense(units: 64, activation: .relu)
        try Dense(units: 10)
    }
}
