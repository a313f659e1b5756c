/// A GitHub-flavoured Markdown table with right-aligned numeric columns.
public struct MarkdownTable: Sendable, Equatable {
    public var header: [String]
    /// Which columns hold numbers (aligned right).
    public var numeric: Set<Int>
    public var rows: [[String]] = []

    public init(header: [String], numeric: Set<Int> = []) {
        self.header = header; self.numeric = numeric
    }

    public mutating func append(_ row: [String]) {
        precondition(row.count == header.count, "a row of \(row.count) cells in a table of \(header.count) columns")
        rows.append(row)
    }

    public var text: String {
        func line(_ cells: [String]) -> String {
            "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
        }
        let rule = header.indices.map { numeric.contains($0) ? "---:" : "---" }
        return ([line(header), "|" + rule.joined(separator: "|") + "|"] + rows.map(line)).joined(separator: "\n") + "\n"
    }
}

import Foundation
