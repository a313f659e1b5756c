import ConvKit
import Foundation

/// The course's 8x8 handwritten digits (scikit-learn's `load_digits`, the UCI "optdigits" test
/// set): a CSV of 1797 lines, each 64 pixels 0...16 (row by row) then the label 0...9, no header.
/// Images are 8x8x1 with the raw pixel values, as the course notes feed them.
public enum Digits {
    public static let shape = TensorShape(height: 8, width: 8, channels: 1)

    /// Reads the CSV at `path`.
    /// - Throws: ``ConvKit/ConvKitError`` naming `option`, the file and the line: an unreadable
    ///   file, a line without 65 values, a value that is not a number, a pixel outside 0...16, a
    ///   label outside 0...9, or no lines at all.
    public static func load(_ path: String, option: String = "data") throws -> Dataset {
        func bad(_ message: String) -> ConvKitError { .invalidArgument(name: option, message: "'\(path)' \(message)") }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw bad("does not exist; expected the digits CSV (optdigits-8x8.csv: 64 pixels 0..16 and a label per line)")
        }
        guard !isFolder.boolValue else { throw bad("is a folder; expected the digits CSV file") }
        guard let data = FileManager.default.contents(atPath: path) else { throw bad("cannot be read") }
        var images: [Float] = [], labels: [Int32] = []
        var lineNumber = 0
        func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
            var b = bytes
            while let f = b.first, f == 0x20 || f == 0x09 || f == 0x0D { b = b.dropFirst() }
            while let l = b.last, l == 0x20 || l == 0x09 || l == 0x0D { b = b.dropLast() }
            return b
        }
        let bytes = [UInt8](data)
        images.reserveCapacity(bytes.count / 3)
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if trimmed(line).isEmpty { continue }
            let fields = line.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
            guard fields.count == 65 else {
                throw bad("line \(lineNumber): has \(fields.count) values, expected 65 (64 pixels and a label)")
            }
            for (k, field) in fields.enumerated() {
                let text = String(decoding: trimmed(field), as: UTF8.self)
                guard let v = Double(text), v == v.rounded() else {
                    throw bad("line \(lineNumber), value \(k + 1): '\(text)' is not a whole number")
                }
                if k < 64 {
                    guard (0...16).contains(v) else { throw bad("line \(lineNumber), pixel \(k + 1): \(Int(v)) is outside 0...16") }
                    images.append(Float(v))
                } else {
                    guard (0...9).contains(v) else { throw bad("line \(lineNumber): label \(Int(v)) is outside 0...9") }
                    labels.append(Int32(v))
                }
            }
        }
        guard !labels.isEmpty else { throw bad("has no data lines") }
        return try Dataset(shape: shape, images: images, labels: labels)
    }

    /// The course's split: a seeded shuffle, then `trainFraction` of the examples (rounded down;
    /// the test part is the rest, as scikit-learn's `train_test_split(train_size=0.8)`).
    /// - Throws: ``ConvKit/ConvKitError`` unless both parts are non-empty.
    public static func split(_ data: Dataset, trainFraction: Double = 0.8, seed: UInt64) throws -> (training: Dataset, test: Dataset) {
        let n = data.count
        let trainCount = Int((Double(n) * trainFraction).rounded(.down))
        guard trainCount >= 1, trainCount < n else {
            throw ConvKitError.invalidArgument(name: "trainFraction", message: "must leave examples on both sides of \(n), got \(trainFraction)")
        }
        var order = Array(0..<n)
        var generator = SplitMix64(seed: seed)
        order.shuffle(using: &generator)
        func subset(_ indices: ArraySlice<Int>) throws -> Dataset {
            let per = data.shape.count
            var images: [Float] = []
            images.reserveCapacity(indices.count * per)
            for i in indices { images += data.images[(i * per)..<((i + 1) * per)] }
            return try Dataset(shape: data.shape, images: images, labels: indices.map { data.labels[$0] })
        }
        return (try subset(order[0..<trainCount]), try subset(order[trainCount...]))
    }
}
