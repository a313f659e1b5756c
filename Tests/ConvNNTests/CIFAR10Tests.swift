import ConvKit
import ConvNN
import Foundation
import Testing

/// The shared real-data subset, relative to the package root (tests run from there).
let subsetPath = "../shared/data/cifar10-subset"
let subsetAvailable = FileManager.default.fileExists(atPath: subsetPath + "/test_batch.bin")

func temporaryDirectory(_ name: String) throws -> String {
    let path = NSTemporaryDirectory() + "/\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Writes a CIFAR-10 binary batch of `records` records with the given labels.
func writeBatch(_ path: String, labels: [UInt8]) throws {
    var bytes: [UInt8] = []
    for (i, l) in labels.enumerated() {
        bytes.append(l)
        bytes += (0..<3072).map { UInt8(($0 + i) % 256) }
    }
    try #require(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
}

@Suite("CIFAR10")
struct CIFAR10Tests {
    @Test("the loader takes the record count from the file size and lays pixels out NHWC / 255")
    func loaderLayout() throws {
        let dir = try temporaryDirectory("cifar-layout")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try writeBatch(dir + "/b.bin", labels: [3, 9])
        let d = try CIFAR10.load(file: dir + "/b.bin")
        #expect(d.count == 2 && d.labels == [3, 9])
        // Pixel p of plane c of record r is byte (p + r) % 256 after the label; NHWC index p*3 + c.
        #expect(d.images[5 * 3 + 1] == Float((1024 + 5) % 256) / 255)
        #expect(d.images[3072 + 7 * 3 + 2] == Float((2048 + 7 + 1) % 256) / 255)
    }

    @Test("loader errors: missing folder, a file given as the folder, missing file, truncated file, bad label")
    func loaderErrors() throws {
        let dir = try temporaryDirectory("cifar-errors")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: CIFAR10Error.missingDirectory(path: dir + "/nope")) { try CIFAR10.load(directory: dir + "/nope") }
        #expect(throws: CIFAR10Error.missingFile(path: dir + "/data_batch_1.bin")) { try CIFAR10.load(directory: dir) }
        try #require(FileManager.default.createFile(atPath: dir + "/short.bin", contents: Data(repeating: 0, count: 3073 * 2 - 5)))
        #expect(throws: CIFAR10Error.badSize(path: dir + "/short.bin", bytes: 3073 * 2 - 5)) { try CIFAR10.load(file: dir + "/short.bin") }
        try writeBatch(dir + "/label.bin", labels: [1, 2, 10])
        #expect(throws: CIFAR10Error.badLabel(path: dir + "/label.bin", record: 2, label: 10)) { try CIFAR10.load(file: dir + "/label.bin") }
        #expect("\(CIFAR10Error.downloadFailed(url: "u", reason: "r"))".contains("cifar-10-binary.tar.gz"))
        #expect(throws: CIFAR10Error.notADirectory(path: dir + "/short.bin")) { try CIFAR10.load(directory: dir + "/short.bin") }
    }

    @Test("unpacking a .tar.gz archive the test creates")
    func unpack() throws {
        let dir = try temporaryDirectory("cifar-unpack")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/src/cifar-10-batches-bin", withIntermediateDirectories: true)
        for name in CIFAR10.trainingFiles + [CIFAR10.testFile] { try writeBatch(dir + "/src/cifar-10-batches-bin/" + name, labels: [1, 4]) }
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "-czf", dir + "/cifar-10-binary.tar.gz", "-C", dir + "/src", "cifar-10-batches-bin"]
        try tar.run()
        tar.waitUntilExit()
        try #require(tar.terminationStatus == 0)
        try FileManager.default.createDirectory(atPath: dir + "/out", withIntermediateDirectories: true)
        try CIFAR10.unpack(archive: dir + "/cifar-10-binary.tar.gz", into: dir + "/out")
        let (train, test) = try CIFAR10.load(directory: dir + "/out/cifar-10-batches-bin")
        #expect(train.count == 10 && test.count == 2)
        try #require(FileManager.default.createFile(atPath: dir + "/broken.tar.gz", contents: Data("not gzip".utf8)))
        #expect(throws: CIFAR10Error.self) { try CIFAR10.unpack(archive: dir + "/broken.tar.gz", into: dir + "/out") }
    }

    @Test(
        "a short fixed-seed run on the real subset moves loss and accuracy well past chance",
        .enabled(if: subsetAvailable, "the CIFAR-10 subset is not at ../shared/data/cifar10-subset; skipped"))
    func trainsOnRealSubset() throws {
        let (train, test) = try CIFAR10.load(directory: subsetPath)
        #expect(train.count == 5170 && test.count == 1017)
        let model = try KerasTutorialCNN.make(seed: 1)
        let history = try model.fit(train, epochs: 2, batchSize: 32, optimizer: Adam(), validation: test, seed: 1)
        let last = history.last!
        #expect(last.loss < 1.9, "training loss \(last.loss) (chance: 2.30)")
        #expect(last.validationAccuracy! > 0.3, "test accuracy \(last.validationAccuracy!) (chance: 0.10)")
    }
}
