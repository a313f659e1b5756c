#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Activations and their derivatives by their textbook definitions, in Double: the reference
/// the per-ISA activation kernels are tested against.
public enum ReferenceActivation {
    /// The kinds, by Keras' names (the raw values of ConvKit's `Activation`).
    public enum Kind: String, Sendable, CaseIterable {
        case none, relu, sigmoid, tanh, leakyReLU = "leaky_relu", elu, softplus, softmax
    }

    /// f(x) for the elementwise kinds (`alpha`: leaky ReLU's slope, ELU's alpha).
    public static func value(_ kind: Kind, _ x: Double, alpha: Double) -> Double {
        switch kind {
        case .none, .softmax: return x
        case .relu: return x.isNaN ? x : max(x, 0)
        case .sigmoid: return x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
        case .tanh: return tanh(x)
        case .leakyReLU: return x > 0 ? x : alpha * x
        case .elu: return x > 0 ? x : alpha * expm1(x)
        case .softplus: return x.isNaN ? x : max(x, 0) + log1p(exp(-abs(x)))
        }
    }

    /// f'(x) for the elementwise kinds.
    public static func derivative(_ kind: Kind, _ x: Double, alpha: Double) -> Double {
        switch kind {
        case .none, .softmax: return 1
        case .relu: return x > 0 ? 1 : 0
        case .sigmoid:
            let s = value(.sigmoid, x, alpha: 0)
            return s * (1 - s)
        case .tanh:
            let t = tanh(x)
            return 1 - t * t
        case .leakyReLU: return x > 0 ? 1 : alpha
        case .elu: return x > 0 ? 1 : alpha * exp(x)
        case .softplus: return value(.sigmoid, x, alpha: 0)
        }
    }

    /// f over rows of `channels` (softmax per row; the others elementwise).
    public static func forward(_ kind: Kind, _ x: [Float], channels: Int, alpha: Double) -> [Double] {
        guard kind == .softmax else { return x.map { value(kind, Double($0), alpha: alpha) } }
        var y = [Double](repeating: 0, count: x.count)
        for r in 0..<(x.count / channels) {
            let row = x[(r * channels)..<((r + 1) * channels)].map(Double.init)
            let m = row.max()!
            let e = row.map { exp($0 - m) }
            let s = e.reduce(0, +)
            for j in 0..<channels { y[r * channels + j] = e[j] / s }
        }
        return y
    }

    /// dL/dx from dL/dy at inputs x (softmax: the row's Jacobian, y (dy - sum(dy y))).
    public static func backward(_ kind: Kind, _ x: [Float], outputGradient dy: [Float], channels: Int, alpha: Double) -> [Double] {
        guard kind == .softmax else { return zip(x, dy).map { derivative(kind, Double($0), alpha: alpha) * Double($1) } }
        let y = forward(.softmax, x, channels: channels, alpha: 0)
        var dx = [Double](repeating: 0, count: x.count)
        for r in 0..<(x.count / channels) {
            let range = (r * channels)..<((r + 1) * channels)
            let s = range.reduce(0.0) { $0 + Double(dy[$1]) * y[$1] }
            for i in range { dx[i] = y[i] * (Double(dy[i]) - s) }
        }
        return dx
    }
}
