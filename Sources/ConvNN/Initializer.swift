import ConvKit

/// How a layer's weights are drawn when the model is built (Keras' `kernel_initializer` and
/// `bias_initializer`), from the model's seeded generator.
///
/// For a kernel, `fanIn` is the inputs each output unit sees (`in` for `Dense`, `kh * kw * cin /
/// groups` for `Conv2D`) and `fanOut` the outputs each input feeds (`units`, `kh * kw * filters`),
/// as Keras computes them. The "normal" variants draw from a normal distribution truncated at two
/// standard deviations, scaled so that the truncated values have the stated standard deviation
/// (Keras' `VarianceScaling(distribution="truncated_normal")`).
///
/// | Keras | ConvNN | distribution |
/// |---|---|---|
/// | `"glorot_uniform"` (default kernel) | `.glorotUniform` | U(-l, l), l = sqrt(6 / (fanIn + fanOut)) |
/// | `"glorot_normal"` | `.glorotNormal` | stddev sqrt(2 / (fanIn + fanOut)) |
/// | `"he_uniform"` | `.heUniform` | U(-l, l), l = sqrt(6 / fanIn) |
/// | `"he_normal"` | `.heNormal` | stddev sqrt(2 / fanIn) |
/// | `"lecun_uniform"` | `.lecunUniform` | U(-l, l), l = sqrt(3 / fanIn) |
/// | `"lecun_normal"` | `.lecunNormal` | stddev sqrt(1 / fanIn) |
/// | `"zeros"` (default bias) | `.zeros` | 0 |
/// | `"ones"` | `.ones` | 1 |
/// | `Constant(v)` | `.constant(v)` | v |
///
/// The initializer is not stored in model files: it only decides the weights a file replaces.
public enum Initializer: Sendable, Hashable, CustomStringConvertible {
    case glorotUniform, glorotNormal, heUniform, heNormal, lecunUniform, lecunNormal
    case zeros, ones
    case constant(Float)

    /// The standard deviation of a standard normal truncated to [-2, 2]: a truncated draw is
    /// divided by it so that the result has the intended standard deviation (Keras' constant).
    static let truncatedNormalStddev = 0.879_625_661_034_239_78

    public var description: String {
        switch self {
        case .glorotUniform: return "glorot_uniform"
        case .glorotNormal: return "glorot_normal"
        case .heUniform: return "he_uniform"
        case .heNormal: return "he_normal"
        case .lecunUniform: return "lecun_uniform"
        case .lecunNormal: return "lecun_normal"
        case .zeros: return "zeros"
        case .ones: return "ones"
        case let .constant(v): return "constant(\(v))"
        }
    }

    /// Fills `values` for a tensor with the given fans, drawing from `generator`.
    func fill(_ values: UnsafeMutableBufferPointer<Float>, fanIn: Int, fanOut: Int, using generator: inout SplitMix64) {
        let fanAverage = Double(fanIn + fanOut) / 2
        switch self {
        case .zeros: values.update(repeating: 0)
        case .ones: values.update(repeating: 1)
        case let .constant(v): values.update(repeating: v)
        case .glorotUniform: Initializer.uniform(values, limit: (6.0 / Double(fanIn + fanOut)).squareRoot(), &generator)
        case .heUniform: Initializer.uniform(values, limit: (6.0 / Double(fanIn)).squareRoot(), &generator)
        case .lecunUniform: Initializer.uniform(values, limit: (3.0 / Double(fanIn)).squareRoot(), &generator)
        case .glorotNormal: Initializer.truncatedNormal(values, stddev: (1.0 / fanAverage).squareRoot(), &generator)
        case .heNormal: Initializer.truncatedNormal(values, stddev: (2.0 / Double(fanIn)).squareRoot(), &generator)
        case .lecunNormal: Initializer.truncatedNormal(values, stddev: (1.0 / Double(fanIn)).squareRoot(), &generator)
        }
    }

    private static func uniform(_ values: UnsafeMutableBufferPointer<Float>, limit: Double, _ generator: inout SplitMix64) {
        for i in values.indices { values[i] = Float(generator.uniform(-limit, limit)) }
    }

    /// N(0, (stddev / 0.8796)^2) truncated at two of its standard deviations (redrawn beyond),
    /// by the Box-Muller transform.
    private static func truncatedNormal(_ values: UnsafeMutableBufferPointer<Float>, stddev: Double, _ generator: inout SplitMix64) {
        let sigma = stddev / truncatedNormalStddev
        for i in values.indices {
            var z = 0.0
            repeat {
                let u1 = max(generator.uniform(0, 1), 0x1p-53), u2 = generator.uniform(0, 1)
                z = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
            } while abs(z) > 2
            values[i] = Float(z * sigma)
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
