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
        let other = try Sequential(input: CIFAR10.shape) {
            try Conv2D(filters: 16, kernelSize: 3, activation: .relu)
            try MaxPool2D(poolSize: 2)
            try Conv2D(filters: 64, kernelSize: 3, activation: .relu)
            try MaxPool2D(poolSize: 2)
            try Conv2D(filters: 64, kernelSize: 3, activation: .relu)
            Flatten()
            try Dense(units: 64, activation: .relu)
            try Dense(units: 10)
        }
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
