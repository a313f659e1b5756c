internal import ConvKitKernels

/// An activation function, by Keras' name (`rawValue`). Every kind runs in ConvKit's per-ISA
/// elementwise kernels (``ActivationKernel``); the elementwise kinds are also fused into the
/// convolution epilogues (the same element functions, so the same bits) and into ``Bias`` (after
/// each row's bias, as `Dense` uses it); softmax, across a row, runs as a pass of its own.
///
/// The exp-based kinds are accurate to a few units in the last place over the whole float range
/// (bounds in `Kernels/common/ck_math.h`), saturate without NaN or Inf (sigmoid to 0 and 1, tanh
/// to ±1, softmax to a one-hot row), and keep NaN as NaN.
public enum Activation: String, Sendable, Hashable, CaseIterable {
    /// The identity (Keras' `"linear"` or `None`).
    case none
    /// max(x, 0); NaN stays NaN.
    case relu
    /// 1 / (1 + e^-x).
    case sigmoid
    /// tanh(x).
    case tanh
    /// x for x > 0, else 0.2 x (Keras' `activation="leaky_relu"`; the ``ActivationKernel`` calls
    /// take another slope).
    case leakyReLU = "leaky_relu"
    /// x for x > 0, else e^x - 1 (Keras' `"elu"`, alpha 1; the kernel calls take another alpha).
    case elu
    /// log(1 + e^x).
    case softplus
    /// e^x / sum(e^x) over the last axis (Keras' `"softmax"`).
    case softmax

    /// Keras' name for the identity.
    public static var linear: Activation { .none }

    /// The parameter Keras uses when the activation is named by string: leaky ReLU's negative
    /// slope 0.2, ELU's alpha 1 (0 for the others).
    public var defaultAlpha: Float {
        switch self {
        case .leakyReLU: 0.2
        case .elu: 1
        default: 0
        }
    }

    /// Whether the kind works on whole rows (softmax) rather than element by element.
    public var isRowwise: Bool { self == .softmax }

    /// The kernels' code (`CK_ACTIVATION_*`).
    var kernelKind: Int32 {
        switch self {
        case .none: Int32(CK_ACTIVATION_NONE)
        case .relu: Int32(CK_ACTIVATION_RELU)
        case .sigmoid: Int32(CK_ACTIVATION_SIGMOID)
        case .tanh: Int32(CK_ACTIVATION_TANH)
        case .leakyReLU: Int32(CK_ACTIVATION_LEAKY_RELU)
        case .elu: Int32(CK_ACTIVATION_ELU)
        case .softplus: Int32(CK_ACTIVATION_SOFTPLUS)
        case .softmax: Int32(CK_ACTIVATION_SOFTMAX)
        }
    }
}
