import ConvKit
import Foundation

/// Errors of the CIFAR-10 loader and downloader: each names the path and the problem.
public enum CIFAR10Error: Error, CustomStringConvertible, Equatable {
    case missingDirectory(path: String)
    case notADirectory(path: String)
    case missingFile(path: String)
    case badSize(path: String, bytes: Int)
    case badLabel(path: String, record: Int, label: Int)
    case downloadFailed(url: String, reason: String)
    case unpackFailed(archive: String, reason: String)

    public var description: String {
        switch self {
        case let .missingDirectory(path):
            return
                "CIFAR-10 folder '\(path)' does not exist; expected the unpacked cifar-10-batches-bin folder (data_batch_1.bin ... data_batch_5.bin, test_batch.bin)"
        case let .notADirectory(path):
            return
                "CIFAR-10 folder '\(path)' is a file, not a folder; expected the unpacked cifar-10-batches-bin folder (data_batch_1.bin ... data_batch_5.bin, test_batch.bin)"
        case let .missingFile(path):
            return "CIFAR-10 file '\(path)' is missing; expected data_batch_1.bin ... data_batch_5.bin and test_batch.bin in the folder"
        case let .badSize(path, bytes):
            return
                "CIFAR-10 file '\(path)' has \(bytes) bytes, not a positive multiple of the 3073-byte record (1 label + 3072 pixels): truncated or not CIFAR-10 binary"
        case let .badLabel(path, record, label):
            return "CIFAR-10 file '\(path)': record \(record) has label \(label), expected 0...9"
        case let .downloadFailed(url, reason):
            return
                "could not download \(url): \(reason). Without network access, fetch cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html on another machine and unpack it (tar xzf cifar-10-binary.tar.gz)"
        case let .unpackFailed(archive, reason):
            return "could not unpack '\(archive)': \(reason)"
        }
    }
}

/// The CIFAR-10 dataset in its official binary format: records of 1 label byte and 3072 pixel
/// bytes (1024 red, 1024 green, 1024 blue, each 32 x 32 row-major). Images are returned NHWC
/// (32 x 32 x 3), scaled to [0, 1] (pixels / 255), as the Keras tutorial does.
public enum CIFAR10 {
    public static let recordBytes = 3073
    public static let shape = TensorShape(height: 32, width: 32, channels: 3)
    public static let classNames = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    public static let trainingFiles = (1...5).map { "data_batch_\($0).bin" }
    public static let testFile = "test_batch.bin"
    /// The official archive.
    public static let archiveURL = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"

    /// Reads one batch file; the record count comes from the file size.
    /// - Throws: ``CIFAR10Error`` for a missing file, a size that is not a multiple of 3073, or a label above 9.
    public static func load(file path: String) throws -> Dataset {
        guard let data = FileManager.default.contents(atPath: path) else { throw CIFAR10Error.missingFile(path: path) }
        guard data.count > 0, data.count % recordBytes == 0 else { throw CIFAR10Error.badSize(path: path, bytes: data.count) }
        let n = data.count / recordBytes
        var images = [Float](repeating: 0, count: n * 3072)
        var labels = [Int32](repeating: 0, count: n)
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            for r in 0..<n {
                let record = bytes.baseAddress! + r * recordBytes
                guard record[0] <= 9 else { throw CIFAR10Error.badLabel(path: path, record: r, label: Int(record[0])) }
                labels[r] = Int32(record[0])
                let pixels = record + 1
                for p in 0..<1024 {
                    for c in 0..<3 { images[r * 3072 + p * 3 + c] = Float(pixels[c * 1024 + p]) / 255 }
                }
            }
        }
        return try Dataset(shape: shape, images: images, labels: labels)
    }

    /// Reads the five training batches and the test batch from a `cifar-10-batches-bin` folder.
    /// - Throws: ``CIFAR10Error`` naming the path and the problem.
    public static func load(directory: String) throws -> (train: Dataset, test: Dataset) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw CIFAR10Error.missingDirectory(path: directory)
        }
        guard isDirectory.boolValue else { throw CIFAR10Error.notADirectory(path: directory) }
        let parts = try trainingFiles.map { try load(file: directory + "/" + $0) }
        let train = try Dataset(shape: shape, images: parts.flatMap(\.images), labels: parts.flatMap(\.labels))
        return (train, try load(file: directory + "/" + testFile))
    }
}
