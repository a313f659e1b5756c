internal import ConvKitKernels

typealias F32ConvForwardFunction = @convention(c) (
    Int, Int, Int, Int, UnsafePointer<Int>?, UnsafePointer<UnsafePointer<Float>?>?,
    UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int, UnsafePointer<Float>?, Int32) -> Void
typealias F32ConvBackwardWeightsFunction = @convention(c) (
    Int, Int, Int, Int, UnsafePointer<Float>?, Int, Int, UnsafePointer<Int>?,
    UnsafePointer<Float>?, Int, Int, UnsafeMutablePointer<Float>?, Int, Int32) -> Void

/// One set of direct-convolution microkernels (`f32_conv_fwd_14x32__avx512` and its
/// weight-gradient sibling): an MR x NR tile of output pixels x output channels.
/// Obtain them from ``DirectConvolutionKernel/all``.
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
    /// the output channels (`f32_conv_bwdd_few__avx512`, ...).
    let backwardDataFewChannels: ck_f32_conv_bwdd_few_fn
    /// The input channels the few-channel backward-data kernel handles at most.
    static let fewChannelLimit = Int(CK_BWDD_FEW_MAXC)
    /// Floats per vector: the few-channel backward-data kernel needs output channels in multiples of it.
    var vectorWidth: Int { nr / 2 }

    public var description: String { name }

    /// Every direct kernel of this build, fastest ISA first, the portable one last (tests and
    /// benchmarks iterate this list).
    public static let all: [DirectConvolutionKernel] = {
        var kernels: [DirectConvolutionKernel] = []
        #if arch(x86_64)
        kernels.append(DirectConvolutionKernel(
            name: "f32_conv_fwd_14x32__avx512", isa: .avx512, mr: 14, nr: 32,
            forward: f32_conv_fwd_14x32__avx512, backwardWeights: f32_conv_bwdw_14x32__avx512,
            backwardDataFewChannels: f32_conv_bwdd_few__avx512))
        kernels.append(DirectConvolutionKernel(
            name: "f32_conv_fwd_6x16__avx2", isa: .avx2, mr: 6, nr: 16,
            forward: f32_conv_fwd_6x16__avx2, backwardWeights: f32_conv_bwdw_6x16__avx2,
            backwardDataFewChannels: f32_conv_bwdd_few__avx2))
        #endif
        kernels.append(DirectConvolutionKernel(
            name: "f32_conv_fwd_4x8__vec128", isa: .generic, mr: 4, nr: 8,
            forward: f32_conv_fwd_4x8__vec128, backwardWeights: f32_conv_bwdw_4x8__vec128,
            backwardDataFewChannels: f32_conv_bwdd_few__vec128))
        return kernels
    }()

    /// The fastest kernel whose ISA is at most `isa` and supported here.
    public static func kernel(for isa: ISA) -> DirectConvolutionKernel {
        all.first { $0.isa <= isa && $0.isa.isSupported } ?? all[all.count - 1]
    }
}
