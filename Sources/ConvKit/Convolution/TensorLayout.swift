/// The memory layout of 4-D activations and of convolution weights.
public enum TensorLayout: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Activations `[batch][height][width][channels]`, weights HWIO
    /// `[kernelHeight][kernelWidth][inputChannels / groups][outputChannels]` (Keras, TensorFlow).
    /// ConvKit's native layout: kernels run on it without conversion.
    case nhwc
    /// Activations `[batch][channels][height][width]`, weights OIHW
    /// `[outputChannels][inputChannels / groups][kernelHeight][kernelWidth]` (PyTorch).
    /// Converted to NHWC in the workspace around each call.
    case nchw

    public var description: String { rawValue }
}
