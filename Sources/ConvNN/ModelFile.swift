import ConvKit
import Foundation

/// The ConvNN model file: the 8 bytes `CONVNN01`, a little-endian UInt64 header length, a JSON
/// header (architecture and tensor shapes), then every parameter tensor in header order as
/// little-endian float32.
///
/// Header: `{"format": "convnn", "version": 1, "input": [h, w, c], "layers": [{"name", "type",
/// "configuration": {...}, "outputShape": [h, w, c], "parameters": [{"name", "shape"}]}]}`.
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
        var version = 1
        var input: [Int]
        var layers: [LayerEntry]
    }

    static func header(of model: Sequential) -> Header {
        Header(input: [model.inputShape.height, model.inputShape.width, model.inputShape.channels],
               layers: model.layers.enumerated().map { i, l in
                   let s = model.shapes[i + 1]
                   return Header.LayerEntry(name: l.name, type: l.typeName, configuration: l.configuration,
                                            outputShape: [s.height, s.width, s.channels],
                                            parameters: l.parameters.map { Header.Tensor(name: $0.name, shape: $0.shape) })
               })
    }

    /// Writes `model`'s architecture and parameters to `path`.
    public static func save(_ model: Sequential, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(header(of: model))
        var data = Data(magic)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        for p in model.parameters {
            for v in p.value { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        }
        guard FileManager.default.createFile(atPath: path, contents: data) else {
            throw ConvKitError.invalidArgument(name: "path", message: "cannot write the model file '\(path)'")
        }
    }

    /// Loads parameters from `path` into `model`, whose architecture must match the file's.
    /// - Throws: ``ConvKit/ConvKitError`` naming the layer and the shapes that differ, or what is
    ///   wrong with the file.
    public static func load(_ path: String, into model: Sequential) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConvKitError.invalidArgument(name: "path", message: "model file '\(path)' does not exist or cannot be read")
        }
        let bytes = [UInt8](data)
        guard bytes.count >= 16, Array(bytes[0..<8]) == magic else {
            throw ConvKitError.invalidArgument(name: "path", message: "'\(path)' is not a ConvNN model file (no CONVNN01 magic)")
        }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(bytes[8 + i]) << (8 * UInt64(i)) }
        guard length <= UInt64(bytes.count - 16) else {
            throw ConvKitError.invalidArgument(name: "path", message: "'\(path)' is truncated: its header claims \(length) bytes")
        }
        let headerEnd = 16 + Int(length)
        let stored: Header
        do { stored = try JSONDecoder().decode(Header.self, from: Data(bytes[16..<headerEnd])) } catch {
            throw ConvKitError.invalidArgument(name: "path", message: "'\(path)' has an unreadable header: \(error)")
        }
        let expected = header(of: model)
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
                    name: "model", message: "layer \(e.name) (\(e.type)): the file has parameters \(s.parameters.map { "\($0.name)\($0.shape)" }) and output \(s.outputShape), the model \(e.parameters.map { "\($0.name)\($0.shape)" }) and output \(e.outputShape)")
            }
        }
        let total = model.parameterCount
        guard bytes.count - headerEnd == total * 4 else {
            throw ConvKitError.invalidArgument(name: "path", message: "'\(path)' holds \(bytes.count - headerEnd) bytes of tensors, expected \(total * 4)")
        }
        var offset = headerEnd
        for p in model.parameters {
            for i in 0..<p.count {
                var bits: UInt32 = 0
                for b in 0..<4 { bits |= UInt32(bytes[offset + b]) << (8 * UInt32(b)) }
                p.value[i] = Float(bitPattern: bits)
                offset += 4
            }
        }
    }
}
