/// Whether a GEMM operand is used as stored (`op(X) = X`) or transposed (`op(X) = Xᵀ`).
public enum Transpose: Sendable, CaseIterable, CustomStringConvertible {
    case noTranspose
    case transpose

    public var description: String { self == .noTranspose ? "N" : "T" }
}
