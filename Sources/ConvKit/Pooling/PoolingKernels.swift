internal import ConvKitKernels

/// The pooling kernels compiled for one instruction set (`f32_maxpool_nhwc__avx512`, ...),
/// picked by the context's ISA like the GEMM and convolution kernels.
struct PoolingKernels: Sendable {
    typealias MaxForward = @convention(c) (UnsafePointer<Float>?, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int,
                                           UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Int32>?) -> Void
    typealias MaxBackward = @convention(c) (UnsafePointer<Float>?, UnsafePointer<Int32>?, Int, Int, Int,
                                            UnsafeMutablePointer<Float>?, Int, Int, Int, Int, Int, Int, Int, Int,
                                            Int, Int, Int32) -> Int
    typealias AverageForward = @convention(c) (UnsafePointer<Float>?, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int,
                                               Int, Int, Int32, UnsafeMutablePointer<Float>?) -> Void
    typealias AverageBackward = @convention(c) (UnsafePointer<Float>?, Int, Int, Int, UnsafeMutablePointer<Float>?, Int, Int,
                                                Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int32) -> Void

    let isa: ISA
    let maxForward: MaxForward
    let maxBackward: MaxBackward
    let averageForward: AverageForward
    let averageBackward: AverageBackward

    /// Every set of this build, fastest ISA first, the portable one last.
    static let all: [PoolingKernels] = {
        var sets: [PoolingKernels] = []
        #if arch(x86_64)
        sets.append(PoolingKernels(isa: .avx512, maxForward: f32_maxpool_nhwc__avx512, maxBackward: f32_maxpool_backward_nhwc__avx512,
                                   averageForward: f32_avgpool_nhwc__avx512, averageBackward: f32_avgpool_backward_nhwc__avx512))
        sets.append(PoolingKernels(isa: .avx2, maxForward: f32_maxpool_nhwc__avx2, maxBackward: f32_maxpool_backward_nhwc__avx2,
                                   averageForward: f32_avgpool_nhwc__avx2, averageBackward: f32_avgpool_backward_nhwc__avx2))
        #endif
        sets.append(PoolingKernels(isa: .generic, maxForward: f32_maxpool_nhwc__generic, maxBackward: f32_maxpool_backward_nhwc__generic,
                                   averageForward: f32_avgpool_nhwc__generic, averageBackward: f32_avgpool_backward_nhwc__generic))
        return sets
    }()

    /// The fastest set whose ISA is at most `isa` and supported here.
    static func kernels(for isa: ISA) -> PoolingKernels {
        all.first { $0.isa <= isa && $0.isa.isSupported } ?? all[all.count - 1]
    }
}
