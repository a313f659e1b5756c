import ConvKit
import Foundation

/// The ConvNN model file: the 8 bytes `CONVNN01`, a little-endian UInt64 header length, a JSON
/// header (architecture, tensor shapes and the tensors' CRC-32), then every parameter tensor in
/// header order as little-endian float32.
///
/// Header: `{"format": "convnn", "version": 2, "input": [h, w, c], "layers": [{"name", "type",
/// "configuration": {...}, "outputShape": [h, w, c], "parameters": [{"name", "shape"}]}],
/// "checksum": crc32}`. Version 1 files (no checksum) still load.
public enum ModelFile {
    static let magic = Array("CONVNN01".utf8)

    struct Header: Codable, Equatable {
        struct Tensor: Codable, Equatable { var name: String; var shape: [Int] }
        struct LayerEntry: Codable, Equatable {
            var name: String
            var type: String
            var configuration: [String: String]
            var outputShape: [Int]
            var parameters: [Tensor]
        }
        var format = "convnn"
        var version = 2
        var input: [Int]
        var layers: [LayerEntry]
        /// CRC-32 of the tensor bytes (absent in version 1 files).
        var checksum: UInt32?
    }

    static func header(of model: Sequential) -> Header {
        Header(
            input: [model.inputShape.height, model.inputShape.width, model.inputShape.channels],
            layers: model.layers.enumerated().map { i, l in
                let s = model.shapes[i + 1]
                return Header.LayerEntry(
                    name: l.name, type: l.typeName, configuration: l.configuration,
                    outputShape: [s.height, s.width, s.channels],
                    parameters: l.weights.map { Header.Tensor(name: $0.name, shape: $0.shape) })
            })
    }

    /// Writes `model`'s architecture and parameters to `path`, atomically (``AtomicFile``).
    /// - Throws: ``ConvKit/ConvKitError`` naming `option` (the argument the path came from),
    ///   `path` and the operating system's reason.
    public static func save(_ model: Sequential, to path: String, option: String = "path") throws {
        try AtomicFile.write(data(of: model), to: path, option: option)
    }

    /// The bytes ``save(_:to:)`` writes.
    static func data(of model: Sequential) throws -> Data {
        let tensors = model.weights.map { UnsafeBufferPointer($0.value) }
        var header = header(of: model)
        let body = TensorBytes.encode(tensors)
        header.checksum = body.checksum
        return try Container.encode(magic: magic, header: header, body: body.data)
    }

    /// The exact file size ``save(_:to:)`` writes for `model` (for checking a destination up front).
    public static func byteCount(of model: Sequential) throws -> Int {
        var header = header(of: model)
        header.checksum = 0xFFFF_FFFF
        return try Container.encode(magic: magic, header: header, body: Data()).count + (model.parameterCount + model.nonTrainableCount) * 4
    }

    /// Loads parameters from `path` into `model`, whose architecture must match the file's: layer
    /// types, configurations (filters, activation, window...), output shapes and tensor shapes.
    /// - Throws: ``ConvKit/ConvKitError`` naming the layer and what differs, or what is wrong with
    ///   the file (magic, truncation, checksum, a NaN or infinite weight naming its tensor).
    public static func load(_ path: String, into model: Sequential) throws {
        let (stored, body) = try Container.decode(Header.self, magic: magic, path: path, what: "a ConvNN model file")
        try check(stored, against: header(of: model), path: path)
        try TensorBytes.decode(
            body, checksum: stored.checksum, into: model.weights.map { ($0.value, "\(layerName(of: $0, in: model))/\($0.name)") },
            path: path)
    }

    static func layerName(of parameter: Parameter, in model: Sequential) -> String {
        model.layers.first { $0.weights.contains { $0 === parameter } }?.name ?? "?"
    }

    /// Throws unless `stored` (from a file) describes the same architecture as `expected`.
    static func check(_ stored: Header, against expected: Header, path: String) throws {
        guard stored.format == "convnn", (1...2).contains(stored.version) else {
            throw ConvKitError.invalidArgument(
                name: "path", message: "'\(path)' is format \(stored.format) version \(stored.version); expected convnn version 1 or 2")
        }
        guard stored.input == expected.input else {
            throw ConvKitError.invalidArgument(name: "model", message: "the file's input is \(stored.input) but the model's is \(expected.input)")
        }
        guard stored.layers.count == expected.layers.count else {
            throw ConvKitError.invalidArgument(name: "model", message: "the file has \(stored.layers.count) layers but the model has \(expected.layers.count)")
        }
        for (s, e) in zip(stored.layers, expected.layers) {
            guard s.type == e.type else {
                throw ConvKitError.invalidArgument(name: "model", message: "layer \(e.name) is a \(e.type) but the file's \(s.name) is a \(s.type)")
            }
            guard s.parameters == e.parameters, s.outputShape == e.outputShape else {
                throw ConvKitError.invalidArgument(
                    name: "model",
                    message:
                        "layer \(e.name) (\(e.type)): the file has parameters \(s.parameters.map { "\($0.name)\($0.shape)" }) and output \(s.outputShape), the model \(e.parameters.map { "\($0.name)\($0.shape)" }) and output \(e.outputShape)"
                )
            }
            guard s.configuration == e.configuration else {
                let keys = Set(s.configuration.keys).union(e.configuration.keys).sorted()
                    .filter { s.configuration[$0] != e.configuration[$0] }
                let diff = keys.map { "\($0): file \(s.configuration[$0] ?? "none"), model \(e.configuration[$0] ?? "none")" }
                throw ConvKitError.invalidArgument(
                    name: "model", message: "layer \(e.name) (\(e.type)) is configured differently: \(diff.joined(separator: "; "))")
            }
        }
    }
}

/// The layout shared by model files and checkpoints: 8 magic bytes, a little-endian UInt64
/// header length, a JSON header, then the body (tensor bytes).
enum Container {
    static func encode<H: Encodable>(magic: [UInt8], header: H, body: Data) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(header)
        var data = Data(magic)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        data.append(body)
        return data
    }

    static func decode<H: Decodable>(_ type: H.Type, magic: [UInt8], path: String, what: String) throws -> (H, Data) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ConvKitError.invalidArgument(name: "path", message: "'\(path)' is a folder; expected \(what)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConvKitError.invalidArgument(name: "path", message: "'\(path)' does not exist or cannot be read; expected \(what)")
        }
        guard data.count >= 16, Array(data.prefix(8)) == magic else {
            throw ConvKitError.invalidArgument(name: "path", message: "'\(path)' is not \(what) (no \(String(decoding: magic, as: UTF8.self)) magic)")
        }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(data[data.startIndex + 8 + i]) << (8 * UInt64(i)) }
        guard length <= UInt64(data.count - 16) else {
            throw ConvKitError.invalidArgument(name: "path", message: "'\(path)' is truncated: its header claims \(length) bytes")
        }
        let headerEnd = data.startIndex + 16 + Int(length)
        do {
            let header = try JSONDecoder().decode(H.self, from: data[(data.startIndex + 16)..<headerEnd])
            return (header, Data(data[headerEnd...]))
        } catch {
            throw ConvKitError.invalidArgument(name: "path", message: "'\(path)' has an unreadable header: \(error)")
        }
    }
}

/// Float32 tensors as little-endian bytes with their CRC-32.
enum TensorBytes {
    static func encode(_ tensors: [UnsafeBufferPointer<Float>]) -> (data: Data, checksum: UInt32) {
        var data = Data(capacity: tensors.reduce(0) { $0 + $1.count } * 4)
        for t in tensors {
            for v in t { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        }
        return (data, data.withUnsafeBytes { CRC32.of($0) })
    }

    /// Fills `tensors` (buffer, name for messages) from `body`, after checking its size, its
    /// checksum (when the file has one) and that every value is finite. Nothing is written when
    /// any check fails.
    static func decode(_ body: Data, checksum: UInt32?, into tensors: [(UnsafeMutableBufferPointer<Float>, String)], path: String) throws {
        let total = tensors.reduce(0) { $0 + $1.0.count }
        guard body.count == total * 4 else {
            throw ConvKitError.invalidArgument(
                name: "path", message: "'\(path)' holds \(body.count) bytes of tensors, expected \(total * 4): truncated or from another model")
        }
        try body.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            if let checksum {
                let actual = CRC32.of(raw)
                guard actual == checksum else {
                    throw ConvKitError.invalidArgument(
                        name: "path", message: "'\(path)' is corrupt: its tensors' CRC-32 is \(hex(actual)), the header says \(hex(checksum))")
                }
            }
            var offset = 0
            for (buffer, name) in tensors {
                for i in 0..<buffer.count {
                    let v = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + i * 4, as: UInt32.self)))
                    guard v.isFinite else {
                        throw ConvKitError.invalidArgument(
                            name: "path", message: "'\(path)': tensor \(name) holds \(v) at element \(i); weights must be finite")
                    }
                }
                offset += buffer.count * 4
            }
            offset = 0
            for (buffer, _) in tensors {
                for i in 0..<buffer.count {
                    buffer[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + i * 4, as: UInt32.self)))
                }
                offset += buffer.count * 4
            }
        }
    }

    private static func hex(_ v: UInt32) -> String { "0x" + String(v, radix: 16) }
}
