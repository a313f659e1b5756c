import ConvKit
import ConvNN
import Foundation
import Testing

@Suite("Course data: digits CSV and MNIST IDX files")
struct CourseDataTests {
    static let digitsPath = "../shared/data/digits/optdigits-8x8.csv"

    static func temporary(_ name: String) -> String {
        NSTemporaryDirectory() + "/convnn-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    @Test(
        "the course's digits file: 1797 images of 8x8 pixels 0...16, the documented class counts, an 80/20 split",
        .enabled(if: FileManager.default.fileExists(atPath: digitsPath), "../shared/data/digits is absent"))
    func realDigits() throws {
        let data = try Digits.load(Self.digitsPath)
        #expect(data.count == 1797 && data.shape == TensorShape(height: 8, width: 8, channels: 1))
        #expect(data.images.allSatisfy { $0 >= 0 && $0 <= 16 && $0 == $0.rounded() })
        let counts = (0..<10).map { c in data.labels.filter { $0 == c }.count }
        #expect(counts == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
        let (training, test) = try Digits.split(data, seed: 1)
        #expect(training.count == 1437 && test.count == 360)
        let again = try Digits.split(data, seed: 1)
        #expect(again.training.labels == training.labels && again.test.images == test.images)
    }

    @Test("a digits file that is wrong is refused, naming the file and the line")
    func badDigits() throws {
        let path = Self.temporary("digits") + ".csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let good = ([String](repeating: "16", count: 64) + ["9"]).joined(separator: ",")
        func message(_ text: String) -> String {
            try? Data(text.utf8).write(to: URL(fileURLWithPath: path))
            do {
                _ = try Digits.load(path)
                return "loaded"
            } catch let ConvKitError.invalidArgument(_, message) { return message } catch { return "\(error)" }
        }
        #expect(message(good + "\r\n" + good + "\n") == "loaded")
        #expect(message(good + "\n" + good.dropLast(2) + "\n").contains("'\(path)' line 2: has 64 values, expected 65"))
        #expect(message(good.dropLast() + "10\n").contains("line 1: label 10 is outside 0...9"))
        #expect(message("17," + good.dropFirst(3) + "\n").contains("line 1, pixel 1: 17 is outside 0...16"))
        #expect(message(good.dropLast() + "2.5\n").contains("not a whole number"))
        #expect(message("").contains("has no data lines"))
        #expect((try? Digits.load(Self.temporary("missing"))) == nil)
        #expect(throws: ConvKitError.self) { try Digits.load(NSTemporaryDirectory()) }
    }

    /// An IDX file: magic, dimensions, data.
    static func idx(_ magic: UInt32, _ dims: [UInt32], _ data: [UInt8]) -> Data {
        var bytes: [UInt8] = []
        for word in [magic] + dims { bytes += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: word >> $0) } }
        return Data(bytes + data)
    }

    @Test("MNIST IDX files: plain and gzipped load the same; every way a file can be wrong is named")
    func idxFiles() throws {
        let folder = Self.temporary("mnist")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let images = (0..<(3 * 4 * 5)).map { UInt8($0 * 4) }
        let imagesPath = folder + "/" + MNIST.trainImages, labelsPath = folder + "/" + MNIST.trainLabels
        try Self.idx(0x803, [3, 4, 5], images).write(to: URL(fileURLWithPath: imagesPath))
        try Self.idx(0x801, [3], [7, 0, 9]).write(to: URL(fileURLWithPath: labelsPath))
        let plain = try MNIST.load(folder: folder).training
        #expect(plain.count == 3 && plain.shape == TensorShape(height: 4, width: 5, channels: 1) && plain.labels == [7, 0, 9])
        #expect(plain.images == images.map { Float($0) / 255 })
        // Gzipped, with the .gz name.
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", imagesPath]
        try gzip.run()
        gzip.waitUntilExit()
        #expect(try MNIST.load(folder: folder).training.images == plain.images)
        let gz = imagesPath + ".gz"
        func failure(_ images: Data?, _ labels: Data) -> String {
            if let images { try? images.write(to: URL(fileURLWithPath: imagesPath + ".bad")) }
            try? labels.write(to: URL(fileURLWithPath: labelsPath + ".bad"))
            do {
                _ = try MNIST.load(images: images == nil ? gz : imagesPath + ".bad", labels: labelsPath + ".bad")
                return "loaded"
            } catch { return "\(error)" }
        }
        let goodImages = Self.idx(0x803, [3, 4, 5], images)
        #expect(failure(Self.idx(0x802, [3, 4, 5], images), Self.idx(0x801, [3], [1, 2, 3])).contains("magic number 0x802, expected 0x803"))
        #expect(failure(Self.idx(0x803, [3, 0, 5], []), Self.idx(0x801, [3], [1, 2, 3])).contains("zero dimension"))
        #expect(failure(Self.idx(0x803, [3, 4, 5], Array(images.dropLast())), Self.idx(0x801, [3], [1, 2, 3])).contains("truncated"))
        #expect(failure(goodImages.prefix(10), Self.idx(0x801, [3], [1, 2, 3])).contains("shorter than its 16-byte header"))
        #expect(failure(goodImages, Self.idx(0x801, [3], [1, 10, 3])).contains("label 1 is 10, expected 0...9"))
        #expect(failure(goodImages, Self.idx(0x801, [2], [1, 2])).contains("3 images but 2 labels"))
        #expect(failure(nil, Self.idx(0x801, [3], [1, 2, 3])) == "loaded")
        #expect(throws: MNISTError.self) { try MNIST.load(folder: folder + "/none") }
    }
}

@Suite("Course experiments: logic gates, confusion matrix")
struct CourseExperimentTests {
    @Test("XOR, AND and OR reach every pattern for at least 9 of 10 seeds, with binary cross-entropy and with MSE", arguments: LogicGates.Gate.allCases)
    func gates(gate: LogicGates.Gate) throws {
        for loss in [Loss.binaryCrossentropy(), .meanSquaredError] {
            var learned = 0
            for seed in 1...10 {
                let result = try LogicGates(loss: loss, seed: UInt64(seed)).train(gate, context: ExecutionContext(threads: 1))
                if result.epochsToAllCorrect != nil {
                    learned += 1
                    for (p, y) in zip(gate.truthTable, result.outputs) { #expect((y > 0.5) == (p.output == 1)) }
                }
            }
            #expect(learned >= 9, "\(gate) \(loss): \(learned) of 10 seeds")
        }
        #expect(throws: ConvKitError.self) { try LogicGates(loss: .sparseCategoricalCrossentropy()) }
    }

    @Test("the confusion matrix counts (truth, prediction) pairs")
    func confusionMatrix() throws {
        let model = try Sequential(input: TensorShape(features: 2), seed: 1) { try Dense(units: 2) }
        let dense = model.layers[0] as! Dense
        _ = dense.kernel!.value.update(from: [1, 0, 0, 1])
        let data = try Dataset(shape: TensorShape(features: 2), images: [2, 1, 0, 3, 5, 1, 1, 2], labels: [0, 1, 1, 0])
        let m = try ConfusionMatrix(model: model, data: data)
        #expect(m.counts == [[1, 1], [1, 1]] && m.accuracy == 0.5)
        let rows = m.text.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(rows == [["0", "1"], ["0", "1", "1"], ["1", "1", "1"]] && m.svg(title: "t").contains("<svg"))
    }
}
