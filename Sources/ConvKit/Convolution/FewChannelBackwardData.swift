internal import ConvKitKernels

/// Backward data of a convolution with few input channels (the first layer of an image network:
/// 1-4 channels), stride 1 and one group, by the direct kernel `ck_f32_conv_bwdd_few__*`: it reads
/// dL/dOutput and the HWIO weights in place and vectorises along the output channels, the axis it
/// sums over. No lowering, packing or workspace. (The generic direct pass vectorises along the
/// input channels, 3 of 16 lanes for RGB; im2col lowers a 27-column matrix and scatters it back.)
enum FewChannelBackwardData {
    /// Whether `s` (NHWC) can take this path with `kernel`.
    static func applies(_ s: ConvolutionShape, _ kernel: DirectConvolutionKernel) -> Bool {
        s.groups == 1 && s.inputChannels <= DirectConvolutionKernel.fewChannelLimit
            && s.descriptor.strideY == 1 && s.descriptor.strideX == 1
            && s.outputChannels % kernel.vectorWidth == 0
    }

    /// `inputGradient` (NHWC) := dL/dInput from `outputGradient` (NHWC) and `weights` (HWIO).
    /// Work items are bands of input rows (whole images when the batch gives every thread
    /// several); each element is computed by one item, in a fixed order.
    static func run(
        _ s: ConvolutionShape, kernel: DirectConvolutionKernel, outputGradient: UnsafePointer<Float>,
        weights: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>, threads: Int
    ) {
        let h = s.inputHeight, w = s.inputWidth, cin = s.inputChannels, d = s.descriptor
        let outImage = s.outputHeight * s.outputWidth * s.outputChannels, inImage = h * w * cin
        let args = UncheckedSendableBox((outputGradient, weights, inputGradient))
        RowBands(rows: h, images: s.batch, threads: threads).forEach(threads: threads) { _, n, y0, y1 in
            let (dy, wts, dx) = args.value
            kernel.backwardDataFewChannels(
                dy + n * outImage, s.outputHeight, s.outputWidth, s.outputChannels, wts,
                s.kernelHeight, s.kernelWidth, cin, d.dilationY, d.dilationX,
                s.padTop, s.padLeft, dx + n * inImage, w, y0, y1)
        }
    }
}
