import Foundation

/// A saved `convbench ... --json FILE`: how and where the run was made, and its records.
public struct BenchmarkDocument: Codable, Sendable, Equatable {
    /// Bumped when the fields change incompatibly; readers reject other versions.
    public static let currentFormat = 1

    public var format: Int
    /// The command line that produced it ("convbench all --threads 1,2").
    public var command: String
    /// ISO 8601 UTC time of the run's start.
    public var date: String
    public var machine: String
    public var records: [BenchmarkRecord]

    public init(command: String, date: String, machine: String, records: [BenchmarkRecord]) {
        self.format = Self.currentFormat
        self.command = command; self.date = date; self.machine = machine; self.records = records
    }

    /// The JSON form, keys sorted so that diffs of saved baselines stay readable.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// Reads a saved document; a missing file, bad JSON or another format version throws
    /// ``BenchmarkFileError`` naming the path.
    public static func load(path: String) throws -> BenchmarkDocument {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw BenchmarkFileError(
                path: path, problem: "cannot be read (\(error.localizedDescription)); expected a file written by `convbench ... --json FILE`")
        }
        let document: BenchmarkDocument
        do {
            document = try JSONDecoder().decode(BenchmarkDocument.self, from: data)
        } catch {
            throw BenchmarkFileError(
                path: path, problem: "is not a convbench results file (\(error)); expected the JSON that `convbench ... --json FILE` writes")
        }
        guard document.format == currentFormat else {
            throw BenchmarkFileError(path: path, problem: "has format \(document.format); this convbench reads format \(currentFormat)")
        }
        return document
    }

    /// The records of several documents; a later document's record replaces an earlier one with the same key.
    public static func merged(_ documents: [BenchmarkDocument]) -> [BenchmarkRecord] {
        var order: [String] = []
        var byKey: [String: BenchmarkRecord] = [:]
        for record in documents.flatMap(\.records) {
            if byKey[record.key] == nil { order.append(record.key) }
            byKey[record.key] = record
        }
        return order.map { byKey[$0]! }
    }
}

/// A results file that could not be used.
public struct BenchmarkFileError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var problem: String
    public var description: String { "\(path) \(problem)" }
}
