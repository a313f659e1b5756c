internal import ConvKitKernels

/// The pooling kernels compiled for one instruction set (`ck_f32_maxpool_nhwc__avx512`, ...), listed
/// in that ISA's ``KernelTable``.
struct PoolingKernels: Sendable {
    typealias MaxForward =
        @convention(c) (
            UnsafePointer<Float>?, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int,
            UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Int32>?
        ) -> Void
    typealias MaxBackward =
        @convention(c) (
            UnsafePointer<Float>?, UnsafePointer<Int32>?, Int, Int, Int,
            UnsafeMutablePointer<Float>?, Int, Int, Int, Int, Int, Int, Int, Int,
            Int, Int, Int32
        ) -> Int
    typealias AverageForward =
        @convention(c) (
            UnsafePointer<Float>?, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int,
            Int, Int, Int32, UnsafeMutablePointer<Float>?
        ) -> Void
    typealias AverageBackward =
        @convention(c) (
            UnsafePointer<Float>?, Int, Int, Int, UnsafeMutablePointer<Float>?, Int, Int,
            Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int32
        ) -> Void

    /// The kernels' names with `*` for max/avg (`ck_f32_*pool_nhwc__avx2`).
    let name: String
    let isa: ISA
    let maxForward: MaxForward
    let maxBackward: MaxBackward
    let averageForward: AverageForward
    let averageBackward: AverageBackward
}
