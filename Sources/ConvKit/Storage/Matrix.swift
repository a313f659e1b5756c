/// A dense row-major `Float` matrix in 64-byte-aligned storage, with value semantics
/// (copy on write). Rows are padded to a multiple of 16 floats, so every row starts on a
/// cache line: element (i, j) is at `i * leadingDimension + j`.
public struct Matrix: Sendable, Equatable {
    /// Number of rows (>= 0).
    public let rows: Int
    /// Number of columns (>= 0).
    public let columns: Int
    /// Distance in floats between the starts of two consecutive rows (>= columns).
    public let leadingDimension: Int
    private var storage: AlignedBuffer

    /// A `rows x columns` matrix of zeros.
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` for negative sizes.
    public init(rows: Int, columns: Int) throws {
        guard rows >= 0 else { throw ConvKitError.invalidArgument(name: "rows", message: "must be >= 0, got \(rows)") }
        guard columns >= 0 else {
            throw ConvKitError.invalidArgument(name: "columns", message: "must be >= 0, got \(columns)")
        }
        let (ld, overflowLD) = (columns / 16 + (columns % 16 == 0 ? 0 : 1)).multipliedReportingOverflow(by: 16)
        let (total, overflowTotal) = rows.multipliedReportingOverflow(by: ld)
        guard !overflowLD, !overflowTotal, !total.multipliedReportingOverflow(by: MemoryLayout<Float>.stride).overflow else {
            throw ConvKitError.invalidArgument(name: "rows", message: "\(rows) x \(columns) floats do not fit in memory")
        }
        self.rows = rows
        self.columns = columns
        self.leadingDimension = max(ld, 1)
        self.storage = AlignedBuffer(count: total)
    }

    /// A `rows x columns` matrix from `elements` in row-major order (`rows * columns` of them).
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` when the count does not match.
    public init(rows: Int, columns: Int, elements: [Float]) throws {
        try self.init(rows: rows, columns: columns)
        guard elements.count == rows &* columns else {
            throw ConvKitError.invalidArgument(
                name: "elements", message: "expected \(rows) x \(columns) = \(rows * columns) values, got \(elements.count)")
        }
        guard columns > 0 else { return }
        let ld = leadingDimension
        elements.withUnsafeBufferPointer { src in
            for i in 0..<rows {
                (storage.baseAddress + i * ld).update(from: src.baseAddress! + i * columns, count: columns)
            }
        }
    }

    /// The elements in row-major order, without padding.
    public var elements: [Float] {
        var out = [Float](repeating: 0, count: rows * columns)
        guard columns > 0 else { return out }
        let ld = leadingDimension
        out.withUnsafeMutableBufferPointer { dst in
            for i in 0..<rows {
                (dst.baseAddress! + i * columns).update(from: storage.baseAddress + i * ld, count: columns)
            }
        }
        return out
    }

    /// Element (row, column). Traps on out-of-range indices like `Array`.
    public subscript(row: Int, column: Int) -> Float {
        get {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns, "Matrix index out of range")
            return storage.baseAddress[row * leadingDimension + column]
        }
        set {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns, "Matrix index out of range")
            makeUnique()
            storage.baseAddress[row * leadingDimension + column] = newValue
        }
    }

    /// Calls `body` with a pointer to element (0, 0); rows are `leadingDimension` floats apart.
    public func withUnsafePointer<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
        try withExtendedLifetime(storage) { try body(UnsafePointer(storage.baseAddress)) }
    }

    /// Calls `body` with a mutable pointer to element (0, 0), copying shared storage first.
    public mutating func withUnsafeMutablePointer<R>(_ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        makeUnique()
        return try withExtendedLifetime(storage) { try body(storage.baseAddress) }
    }

    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    public static func == (lhs: Matrix, rhs: Matrix) -> Bool {
        lhs.rows == rhs.rows && lhs.columns == rhs.columns && lhs.elements == rhs.elements
    }
}
