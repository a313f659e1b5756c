import ConvKit
import Testing

/// Tests of `Sources/ConvKit/Storage`.
@Suite("Matrix")
struct MatrixTests {
    @Test("elements round-trip, rows are 64-byte aligned, copies are independent")
    func storage() throws {
        var m = try Matrix(rows: 3, columns: 5, elements: (0..<15).map(Float.init))
        #expect(m.elements == (0..<15).map(Float.init))
        #expect(m[2, 4] == 14)
        #expect(m.leadingDimension == 16)
        let copy = m
        m[0, 0] = 42
        #expect(copy[0, 0] == 0 && m[0, 0] == 42)
        m.withUnsafePointer { p in
            for row in 0..<3 { #expect(UInt(bitPattern: p + row * m.leadingDimension) % 64 == 0) }
        }
    }

    @Test("empty matrices work: zero rows or zero columns")
    func empty() throws {
        let noColumns = try Matrix(rows: 3, columns: 0, elements: [])
        #expect(noColumns.elements.isEmpty && noColumns.rows == 3)
        let noRows = try Matrix(rows: 0, columns: 5, elements: [])
        #expect(noRows.elements.isEmpty && noRows.columns == 5)
        var product = try Matrix(rows: 3, columns: 5)
        try GEMM.multiply(noColumns, .noTranspose, noRows, .noTranspose, into: &product, beta: 0)
        #expect(product.elements == [Float](repeating: 0, count: 15))
    }

    @Test("invalid shapes and element counts throw")
    func invalid() {
        #expect(throws: ConvKitError.self) { try Matrix(rows: -1, columns: 2) }
        #expect(throws: ConvKitError.self) { try Matrix(rows: 2, columns: -2) }
        #expect(throws: ConvKitError.self) { try Matrix(rows: 2, columns: 2, elements: [1, 2, 3]) }
        #expect(throws: ConvKitError.self) { try Matrix(rows: Int.max / 2, columns: 64) }
    }
}
