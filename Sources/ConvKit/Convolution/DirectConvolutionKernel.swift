internal import ConvKitKernels

typealias F32ConvForwardFunction =
    @convention(c) (
        Int, Int, Int, Int, UnsafePointer<Int>?, UnsafePointer<UnsafePointer<Float>?>?,
        UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int, UnsafePointer<Float>?, Int32
    ) -> Void
typealias F32ConvBackwardWeightsFunction =
    @convention(c) (
        Int, Int, Int, Int, UnsafePointer<Float>?, Int, Int, UnsafePointer<Int>?,
        UnsafePointer<Float>?, Int, Int, UnsafeMutablePointer<Float>?, Int, Int32
    ) -> Void

/// One set of direct-convolution microkernels (`ck_f32_conv_fwd_14x32__avx512` and its
/// weight-gradient sibling): an MR x NR tile of output pixels x output channels.
/// Each ``KernelTable`` lists its ISA's set.
public struct DirectConvolutionKernel: Sendable, CustomStringConvertible {
    /// The name of the forward kernel's C symbol.
    public let name: String
    public let isa: ISA
    /// Tile rows: output pixels (forward) or weight rows (backward-weights).
    public let mr: Int
    /// Tile columns: output channels.
    public let nr: Int
    let forward: F32ConvForwardFunction
    let backwardWeights: F32ConvBackwardWeightsFunction
    /// Backward data for at most ``fewChannelLimit`` input channels (stride 1), vectorised along
    /// the output channels (`ck_f32_conv_bwdd_few__avx512`, ...).
    let backwardDataFewChannels: ck_f32_conv_bwdd_few_fn
    /// The input channels the few-channel backward-data kernel handles at most.
    static let fewChannelLimit = Int(CK_BWDD_FEW_MAXC)
    /// Floats per vector: the few-channel backward-data kernel needs output channels in multiples of it.
    var vectorWidth: Int { nr / 2 }

    public var description: String { name }

    /// The few-channel backward-data kernel's C symbol (`ck_f32_conv_bwdd_few__avx2`).
    public var fewChannelName: String {
        "ck_f32_conv_bwdd_few__" + (name.split(separator: "__").last.map(String.init) ?? isa.rawValue)
    }
}
