import ConvKit
import Foundation

/// What is wrong with MNIST data or its download.
public enum MNISTError: Error, CustomStringConvertible, Equatable {
    case missingFile(path: String)
    case invalidFile(path: String, reason: String)
    case mismatch(images: String, labels: String, reason: String)
    case downloadFailed(url: String, reason: String)

    public var description: String {
        switch self {
        case let .missingFile(path):
            return "MNIST file '\(path)' is missing; expected train-images-idx3-ubyte and train-labels-idx1-ubyte (optionally .gz) in the folder"
        case let .invalidFile(path, reason): return "MNIST file '\(path)': \(reason)"
        case let .mismatch(images, labels, reason): return "MNIST files '\(images)' and '\(labels)': \(reason)"
        case let .downloadFailed(url, reason):
            return
                "could not download \(url): \(reason). Without network access, fetch the four IDX files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) on another machine"
        }
    }
}

/// MNIST in its official IDX format (Y. LeCun, C. Cortes, C. Burges): big-endian headers, magic
/// 0x00000803 for images (count x rows x columns unsigned bytes) and 0x00000801 for labels,
/// plain or gzipped (unpacked with the system's `gzip`). Pixels are scaled to [0, 1] (x / 255).
public enum MNIST {
    /// The file names in a folder, without and with `.gz`.
    public static let trainImages = "train-images-idx3-ubyte", trainLabels = "train-labels-idx1-ubyte"
    public static let testImages = "t10k-images-idx3-ubyte", testLabels = "t10k-labels-idx1-ubyte"
    /// Where ``download(to:timeout:progress:)`` fetches the files (the mirror PyTorch's loader uses).
    public static let baseURL = "https://ossci-datasets.s3.amazonaws.com/mnist/"

    /// The images of an IDX image file and the labels of an IDX label file, checked against each other.
    /// - Throws: ``MNISTError`` for a missing or unreadable file, a wrong magic number, dimensions
    ///   that are zero or do not match the file's size (truncation), different counts, or a
    ///   label above 9.
    public static func load(images imagesPath: String, labels labelsPath: String) throws -> Dataset {
        let (imageDims, pixels) = try readIDX(imagesPath, magic: 0x0000_0803, dimensions: 3)
        let (labelDims, labelBytes) = try readIDX(labelsPath, magic: 0x0000_0801, dimensions: 1)
        guard imageDims[0] == labelDims[0] else {
            throw MNISTError.mismatch(
                images: imagesPath, labels: labelsPath, reason: "\(imageDims[0]) images but \(labelDims[0]) labels")
        }
        if let bad = labelBytes.firstIndex(where: { $0 > 9 }) {
            throw MNISTError.invalidFile(path: labelsPath, reason: "label \(bad) is \(labelBytes[bad]), expected 0...9")
        }
        let shape = TensorShape(height: imageDims[1], width: imageDims[2], channels: 1)
        return try Dataset(shape: shape, images: pixels.map { Float($0) / 255 }, labels: labelBytes.map { Int32($0) })
    }

    /// The training set (and the test set when its files are there) in `folder`.
    public static func load(folder: String) throws -> (training: Dataset, test: Dataset?) {
        let training = try load(images: try file(folder, trainImages), labels: try file(folder, trainLabels))
        let test: Dataset?
        if let images = try? file(folder, testImages), let labels = try? file(folder, testLabels) {
            test = try load(images: images, labels: labels)
        } else {
            test = nil
        }
        return (training, test)
    }

    /// `folder/name`, or `folder/name.gz`.
    static func file(_ folder: String, _ name: String) throws -> String {
        for candidate in [name, name + ".gz"] where FileManager.default.fileExists(atPath: folder + "/" + candidate) {
            return folder + "/" + candidate
        }
        throw MNISTError.missingFile(path: folder + "/" + name)
    }

    /// The dimensions and the bytes of an IDX file of unsigned bytes.
    static func readIDX(_ path: String, magic: UInt32, dimensions: Int) throws -> ([Int], [UInt8]) {
        guard FileManager.default.fileExists(atPath: path) else { throw MNISTError.missingFile(path: path) }
        guard var bytes = FileManager.default.contents(atPath: path).map([UInt8].init) else {
            throw MNISTError.invalidFile(path: path, reason: "cannot be read")
        }
        if bytes.starts(with: [0x1f, 0x8b]) { bytes = try gunzip(path) }
        func word(_ at: Int) -> UInt32 { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | UInt32($1) } }
        let header = 4 + 4 * dimensions
        guard bytes.count >= header else {
            throw MNISTError.invalidFile(path: path, reason: "has \(bytes.count) bytes, shorter than its \(header)-byte header")
        }
        guard word(0) == magic else {
            throw MNISTError.invalidFile(
                path: path,
                reason:
                    "magic number 0x\(String(word(0), radix: 16)), expected 0x\(String(magic, radix: 16)) (an IDX file of unsigned bytes with \(dimensions) dimension\(dimensions == 1 ? "" : "s"))"
            )
        }
        let dims = (0..<dimensions).map { Int(word(4 + 4 * $0)) }
        guard dims.allSatisfy({ $0 > 0 }) else { throw MNISTError.invalidFile(path: path, reason: "has a zero dimension: \(dims)") }
        let (count, overflow) = dims.reduce((1, false)) { acc, d in
            let (p, o) = acc.0.multipliedReportingOverflow(by: d)
            return (p, acc.1 || o)
        }
        guard !overflow, bytes.count - header == count else {
            throw MNISTError.invalidFile(
                path: path, reason: "dimensions \(dims) need \(count) data bytes but the file has \(bytes.count - header): truncated or not this file")
        }
        return (dims, Array(bytes[header...]))
    }

    /// The bytes of a gzipped file, unpacked by the system's `gzip -dc`.
    static func gunzip(_ path: String) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-dc", path]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch {
            throw MNISTError.invalidFile(path: path, reason: "cannot run gzip: \(error.localizedDescription)")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw MNISTError.invalidFile(path: path, reason: "gzip failed: \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return [UInt8](data)
    }

    /// The MNIST folder in `cache` (`cache/mnist`), downloading the four gzipped files first when
    /// they are not there (once; later calls reuse them).
    /// - Throws: ``MNISTError/downloadFailed(url:reason:)`` fast without network (20 s timeout).
    public static func cachedDataset(
        in cache: String = CIFAR10.defaultCacheDirectory, timeout: Double = 20, progress: ((String, Int64, Int64?) -> Void)? = nil
    ) throws -> String {
        let folder = cache + "/mnist"
        if (try? load(folderCheck: folder)) != nil { return folder }
        try download(to: folder, timeout: timeout, progress: progress)
        return folder
    }

    static func load(folderCheck folder: String) throws {
        for name in [trainImages, trainLabels, testImages, testLabels] { _ = try file(folder, name) }
    }

    /// Downloads the four gzipped IDX files into `folder`.
    public static func download(to folder: String, timeout: Double = 20, progress: ((String, Int64, Int64?) -> Void)? = nil) throws {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw MNISTError.downloadFailed(url: baseURL, reason: "cannot create '\(folder)': \(error.localizedDescription)")
        }
        for name in [trainImages, trainLabels, testImages, testLabels] {
            let url = baseURL + name + ".gz"
            do {
                try Fetcher(progress: progress.map { p in { p(name, $0, $1) } }).fetch(URL(string: url)!, to: folder + "/" + name + ".gz", timeout: timeout)
            } catch let failure as FetchFailure {
                throw MNISTError.downloadFailed(url: failure.url, reason: failure.reason)
            }
        }
    }
}
