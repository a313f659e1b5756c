internal import ConvKitKernels

/// Conversions between the NCHW/OIHW layouts and ConvKit's native NHWC/HWIO, used around the
/// NHWC kernels when a caller works in NCHW.
enum LayoutConversion {
    enum Images { case input, output }

    private static func dims(_ s: ConvolutionShape, _ which: Images) -> (n: Int, c: Int, hw: Int) {
        which == .input ? (s.batch, s.inputChannels, s.inputHeight * s.inputWidth)
                        : (s.batch, s.outputChannels, s.outputHeight * s.outputWidth)
    }

    /// NCHW -> NHWC; returns `dst`.
    static func toNHWC(_ src: UnsafePointer<Float>, _ s: ConvolutionShape, into dst: UnsafeMutablePointer<Float>,
                       images: Images) -> UnsafePointer<Float> {
        let (n, c, hw) = dims(s, images)
        for i in 0..<n { ck_f32_transpose(c, hw, src + i * c * hw, hw, dst + i * c * hw, c) }
        return UnsafePointer(dst)
    }

    /// NHWC -> NCHW.
    static func toNCHW(_ src: UnsafePointer<Float>, _ s: ConvolutionShape, into dst: UnsafeMutablePointer<Float>,
                       images: Images) {
        let (n, c, hw) = dims(s, images)
        for i in 0..<n { ck_f32_transpose(hw, c, src + i * c * hw, c, dst + i * c * hw, hw) }
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
