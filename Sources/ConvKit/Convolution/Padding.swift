/// How a convolution or pooling window is padded at the borders of the input.
public enum Padding: Sendable, Hashable, CustomStringConvertible {
    /// No padding: windows lie entirely inside the input.
    case valid
    /// TensorFlow's "SAME": output size `ceil(input / stride)`; the total padding
    /// `max((output - 1) * stride + (kernel - 1) * dilation + 1 - input, 0)` is split with the
    /// extra row/column at the bottom/right when it is odd.
    case same
    /// Explicit zero rows/columns on each side (each >= 0).
    case explicit(top: Int, bottom: Int, left: Int, right: Int)

    /// Symmetric explicit padding of `rows` at top and bottom and `columns` at left and right.
    public static func symmetric(_ rows: Int, _ columns: Int) -> Padding {
        .explicit(top: rows, bottom: rows, left: columns, right: columns)
    }

    /// The (before, after) padding of one spatial axis.
    public func amounts(vertical: Bool, input: Int, kernel: Int, stride: Int, dilation: Int) -> (before: Int, after: Int) {
        switch self {
        case .valid:
            return (0, 0)
        case .same:
            let output = (input + stride - 1) / stride
            let total = max((output - 1) * stride + (kernel - 1) * dilation + 1 - input, 0)
            return (total / 2, total - total / 2)
        case let .explicit(top, bottom, left, right):
            return vertical ? (top, bottom) : (left, right)
        }
    }

    public var description: String {
        switch self {
        case .valid: return "valid"
        case .same: return "same"
        case let .explicit(t, b, l, r): return "explicit(\(t),\(b),\(l),\(r))"
        }
    }
}
