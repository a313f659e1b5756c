/// One of the three computations of a convolution layer.
public enum ConvolutionPass: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// output = conv(input, weights) + bias, optionally followed by ReLU.
    case forward
    /// dL/dInput from dL/dOutput and the weights.
    case backwardData
    /// dL/dWeights and dL/dBias from the input and dL/dOutput.
    case backwardWeights

    public var description: String { rawValue }
}

/// How a convolution is computed.
public enum ConvolutionAlgorithm: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// ConvKit picks per shape and pass (see ``ConvolutionShape/algorithm(for:isa:)``): a rule of
    /// the shape and instruction set only, never of the thread count or of timings, so results stay
    /// bitwise reproducible.
    case auto
    /// Register-blocked kernels that read the input in place (no lowering).
    case direct
    /// Lowering to the Toeplitz (im2col) matrix in cache-sized slices, then SGEMM.
    case im2col
    /// `ConvKitReference`'s naive loops (Double accumulation): slow, for checking.
    case reference

    public var description: String { rawValue }
}
