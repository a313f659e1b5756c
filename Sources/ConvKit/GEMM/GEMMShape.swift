/// The validated sizes of one SGEMM call and the storage each operand needs (row-major).
struct GEMMShape {
    let aRows: Int, aColumns: Int, lda: Int
    let bRows: Int, bColumns: Int, ldb: Int
    let m: Int, n: Int, ldc: Int

    init(_ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int, lda: Int, ldb: Int, ldc: Int) throws {
        try GEMMShape.checkSize("m", m)
        try GEMMShape.checkSize("n", n)
        try GEMMShape.checkSize("k", k)
        (aRows, aColumns) = transA == .noTranspose ? (m, k) : (k, m)
        (bRows, bColumns) = transB == .noTranspose ? (k, n) : (n, k)
        self.m = m
        self.n = n
        self.lda = lda
        self.ldb = ldb
        self.ldc = ldc
        try GEMMShape.checkLeading("lda", lda, columns: aColumns, what: transA == .noTranspose ? "A (m x k)" : "A (k x m, transposed)")
        try GEMMShape.checkLeading("ldb", ldb, columns: bColumns, what: transB == .noTranspose ? "B (k x n)" : "B (n x k, transposed)")
        try GEMMShape.checkLeading("ldc", ldc, columns: n, what: "C (m x n)")
        try GEMMShape.checkSpan("a", rows: aRows, columns: aColumns, ld: lda)
        try GEMMShape.checkSpan("b", rows: bRows, columns: bColumns, ld: ldb)
        try GEMMShape.checkSpan("c", rows: m, columns: n, ld: ldc)
    }

    private static func checkSize(_ name: String, _ value: Int) throws {
        guard value >= 0 else { throw ConvKitError.invalidArgument(name: name, message: "must be >= 0, got \(value)") }
    }

    private static func checkSpan(_ name: String, rows: Int, columns: Int, ld: Int) throws {
        let (span, overflow) = (rows &- 1).multipliedReportingOverflow(by: ld)
        if rows > 0 && (overflow || span.addingReportingOverflow(columns).overflow) {
            throw ConvKitError.invalidArgument(name: name, message: "\(rows) rows with leading dimension \(ld) overflow Int")
        }
    }

    private static func checkLeading(_ name: String, _ ld: Int, columns: Int, what: String) throws {
        guard ld >= max(1, columns) else {
            throw ConvKitError.invalidArgument(
                name: name, message: "must be >= max(1, \(columns)) (the row length of \(what)), got \(ld)")
        }
    }

    /// Floats a row-major `rows x columns` operand with leading dimension `ld` spans.
    static func span(rows: Int, columns: Int, ld: Int) -> Int {
        rows == 0 || columns == 0 ? 0 : (rows - 1) * ld + columns
    }

    /// Throws when an array holds fewer floats than its operand spans.
    func checkCounts(a: Int, b: Int, c: Int) throws {
        try GEMMShape.checkCount("a", a, rows: aRows, columns: aColumns, ld: lda)
        try GEMMShape.checkCount("b", b, rows: bRows, columns: bColumns, ld: ldb)
        try GEMMShape.checkCount("c", c, rows: m, columns: n, ld: ldc)
    }

    private static func checkCount(_ name: String, _ count: Int, rows: Int, columns: Int, ld: Int) throws {
        let need = span(rows: rows, columns: columns, ld: ld)
        guard count >= need else {
            throw ConvKitError.invalidArgument(
                name: name, message: "holds \(count) floats but \(rows) x \(columns) with leading dimension \(ld) needs \(need)")
        }
    }
}
