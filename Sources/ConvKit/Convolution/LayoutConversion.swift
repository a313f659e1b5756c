internal import ConvKitKernels

/// Conversions between the NCHW/OIHW layouts and ConvKit's native NHWC/HWIO, used around the
/// NHWC convolution and pooling kernels when a caller works in NCHW.
enum LayoutConversion {
    enum Images { case input, output }

    private static func dims(_ s: ConvolutionShape, _ which: Images) -> (n: Int, c: Int, hw: Int) {
        which == .input
            ? (s.batch, s.inputChannels, s.inputHeight * s.inputWidth)
            : (s.batch, s.outputChannels, s.outputHeight * s.outputWidth)
    }

    /// `n` images of `c` planes of `spatial` floats (NCHW) -> channels last (NHWC).
    static func toNHWC(_ src: UnsafePointer<Float>, n: Int, c: Int, spatial: Int, into dst: UnsafeMutablePointer<Float>) {
        for i in 0..<n { ck_f32_transpose(c, spatial, src + i * c * spatial, spatial, dst + i * c * spatial, c) }
    }

    /// Channels last (NHWC) -> `n` images of `c` planes (NCHW).
    static func toNCHW(_ src: UnsafePointer<Float>, n: Int, c: Int, spatial: Int, into dst: UnsafeMutablePointer<Float>) {
        for i in 0..<n { ck_f32_transpose(spatial, c, src + i * c * spatial, c, dst + i * c * spatial, spatial) }
    }

    /// The same for 32-bit integers (pooling indices), bit patterns copied exactly.
    static func toNHWC(_ src: UnsafePointer<Int32>, n: Int, c: Int, spatial: Int, into dst: UnsafeMutablePointer<Int32>) {
        src.withMemoryRebound(to: UInt32.self, capacity: n * c * spatial) { s in
            dst.withMemoryRebound(to: UInt32.self, capacity: n * c * spatial) { d in
                for i in 0..<n { ck_x32_transpose(c, spatial, s + i * c * spatial, spatial, d + i * c * spatial, c) }
            }
        }
    }

    static func toNCHW(_ src: UnsafePointer<Int32>, n: Int, c: Int, spatial: Int, into dst: UnsafeMutablePointer<Int32>) {
        src.withMemoryRebound(to: UInt32.self, capacity: n * c * spatial) { s in
            dst.withMemoryRebound(to: UInt32.self, capacity: n * c * spatial) { d in
                for i in 0..<n { ck_x32_transpose(spatial, c, s + i * c * spatial, c, d + i * c * spatial, spatial) }
            }
        }
    }

    /// A convolution's input or output images NCHW -> NHWC; returns `dst`.
    static func toNHWC(
        _ src: UnsafePointer<Float>, _ s: ConvolutionShape, into dst: UnsafeMutablePointer<Float>,
        images: Images
    ) -> UnsafePointer<Float> {
        let (n, c, hw) = dims(s, images)
        toNHWC(src, n: n, c: c, spatial: hw, into: dst)
        return UnsafePointer(dst)
    }

    /// A convolution's input or output images NHWC -> NCHW.
    static func toNCHW(
        _ src: UnsafePointer<Float>, _ s: ConvolutionShape, into dst: UnsafeMutablePointer<Float>,
        images: Images
    ) {
        let (n, c, hw) = dims(s, images)
        toNCHW(src, n: n, c: c, spatial: hw, into: dst)
    }

    /// OIHW -> HWIO; returns `dst`.
    static func toHWIO(_ src: UnsafePointer<Float>, _ s: ConvolutionShape, into dst: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        // OIHW is [O][I*H*W]; its transpose is [I][H][W][O]; then move I inside H, W.
        let o = s.outputChannels, i = s.groupInputChannels, taps = s.kernelHeight * s.kernelWidth
        for co in 0..<o {
            for ci in 0..<i {
                for t in 0..<taps { dst[(t * i + ci) * o + co] = src[(co * i + ci) * taps + t] }
            }
        }
        return UnsafePointer(dst)
    }

    /// HWIO -> OIHW.
    static func toOIHW(_ src: UnsafePointer<Float>, _ s: ConvolutionShape, into dst: UnsafeMutablePointer<Float>) {
        let o = s.outputChannels, i = s.groupInputChannels, taps = s.kernelHeight * s.kernelWidth
        for co in 0..<o {
            for ci in 0..<i {
                for t in 0..<taps { dst[(co * i + ci) * taps + t] = src[(t * i + ci) * o + co] }
            }
        }
    }
}
