#if arch(x86_64)
internal import ConvKitKernels

extension KernelTable {
    /// AVX-512 (with FMA, AVX512VL): 14 x 32 GEMM tiles (an 8 x 32 tile for row counts that 14
    /// divides badly, and the one that reads a row-major A in place), KC 512 (the `kc x nr` B
    /// micro-panel, 64 KiB, lives in L2 next to the `mc x kc` A block); the AVX2 packing pair.
    static let avx512: KernelTable = {
        let blocking14 = GEMMBlocking(mr: 14, nr: 32, mc: 168, kc: 512, nc: 1024)
        let blocking8 = GEMMBlocking(mr: 8, nr: 32, mc: 168, kc: 512, nc: 1024)
        return KernelTable(
            isa: .avx512,
            gemm: [
                GEMMMicrokernel(
                    symbol: "ck_f32_gemm_14x32__avx512", isa: .avx512, blocking: blocking14,
                    function: ck_f32_gemm_14x32__avx512, rowMajorAFunction: nil,
                    packA: ck_f32_pack_a__avx2, packB: ck_f32_pack_b__avx2),
                GEMMMicrokernel(
                    symbol: "ck_f32_gemm_8x32__avx512", isa: .avx512, blocking: blocking8,
                    function: ck_f32_gemm_8x32__avx512, rowMajorAFunction: ck_f32_gemm_arow_8x32__avx512,
                    packA: ck_f32_pack_a__avx2, packB: ck_f32_pack_b__avx2),
            ],
            convolution: DirectConvolutionKernel(
                name: "ck_f32_conv_fwd_14x32__avx512", isa: .avx512, mr: 14, nr: 32,
                forward: ck_f32_conv_fwd_14x32__avx512, backwardWeights: ck_f32_conv_bwdw_14x32__avx512,
                backwardDataFewChannels: ck_f32_conv_bwdd_few__avx512),
            pooling: PoolingKernels(
                name: "ck_f32_*pool_nhwc__avx512", isa: .avx512,
                maxForward: ck_f32_maxpool_nhwc__avx512, maxBackward: ck_f32_maxpool_backward_nhwc__avx512,
                averageForward: ck_f32_avgpool_nhwc__avx512, averageBackward: ck_f32_avgpool_backward_nhwc__avx512),
            elementwise: ElementwiseKernels(
                name: "ck_f32_*__avx512", isa: .avx512, relu: ck_f32_relu__avx512, reluBackward: ck_f32_relu_backward__avx512,
                biasReLU: ck_f32_bias_relu__avx512, sumRows: ck_f32_sum_rows__avx512, add: ck_f32_add__avx512,
                adamUpdate: ck_f32_adam_update__avx512, sgdUpdate: ck_f32_sgd_update__avx512,
                sgdNesterovUpdate: ck_f32_sgd_nesterov_update__avx512, adagradUpdate: ck_f32_adagrad_update__avx512,
                rmspropUpdate: ck_f32_rmsprop_update__avx512, nadamUpdate: ck_f32_nadam_update__avx512,
                activation: ck_f32_activation__avx512, activationBackward: ck_f32_activation_backward__avx512,
                biasActivation: ck_f32_bias_activation__avx512, channelMoments: ck_f32_channel_moments__avx512,
                scaleShift: ck_f32_scale_shift__avx512, batchNormBackwardSums: ck_f32_batchnorm_backward_sums__avx512,
                batchNormBackwardData: ck_f32_batchnorm_backward_data__avx512,
                absAndSquareSums: ck_f32_abs_and_square_sums__avx512,
                regularizerGradient: ck_f32_regularizer_gradient__avx512, scaleClip: ck_f32_scale_clip__avx512),
            gemmReadsLargeBInPlaceForFewRows: true)
    }()
}
#endif
