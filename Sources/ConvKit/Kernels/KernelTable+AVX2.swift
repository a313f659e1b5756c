#if arch(x86_64)
internal import ConvKitKernels

extension KernelTable {
    /// AVX2 with FMA: 6 x 16 GEMM tile (12 ymm accumulators), KC 256, NC 2048; the AVX2 packing
    /// pair (8 x 8 transposes).
    static let avx2: KernelTable = {
        return KernelTable(
            isa: .avx2,
            gemm: [
                GEMMMicrokernel(
                    symbol: "ck_f32_gemm_6x16__avx2", isa: .avx2,
                    blocking: GEMMBlocking(mr: 6, nr: 16, mc: 144, kc: 256, nc: 2048),
                    function: ck_f32_gemm_6x16__avx2, rowMajorAFunction: ck_f32_gemm_arow_6x16__avx2,
                    packA: ck_f32_pack_a__avx2, packB: ck_f32_pack_b__avx2)
            ],
            convolution: DirectConvolutionKernel(
                name: "ck_f32_conv_fwd_6x16__avx2", isa: .avx2, mr: 6, nr: 16,
                forward: ck_f32_conv_fwd_6x16__avx2, backwardWeights: ck_f32_conv_bwdw_6x16__avx2,
                backwardDataFewChannels: ck_f32_conv_bwdd_few__avx2),
            pooling: PoolingKernels(
                name: "ck_f32_*pool_nhwc__avx2", isa: .avx2,
                maxForward: ck_f32_maxpool_nhwc__avx2, maxBackward: ck_f32_maxpool_backward_nhwc__avx2,
                averageForward: ck_f32_avgpool_nhwc__avx2, averageBackward: ck_f32_avgpool_backward_nhwc__avx2),
            elementwise: ElementwiseKernels(
                name: "ck_f32_*__avx2", isa: .avx2, relu: ck_f32_relu__avx2, reluBackward: ck_f32_relu_backward__avx2,
                biasReLU: ck_f32_bias_relu__avx2, sumRows: ck_f32_sum_rows__avx2, add: ck_f32_add__avx2,
                adamUpdate: ck_f32_adam_update__avx2, sgdUpdate: ck_f32_sgd_update__avx2,
                sgdNesterovUpdate: ck_f32_sgd_nesterov_update__avx2, adagradUpdate: ck_f32_adagrad_update__avx2,
                rmspropUpdate: ck_f32_rmsprop_update__avx2, nadamUpdate: ck_f32_nadam_update__avx2,
                activation: ck_f32_activation__avx2, activationBackward: ck_f32_activation_backward__avx2,
                biasActivation: ck_f32_bias_activation__avx2, channelMoments: ck_f32_channel_moments__avx2,
                scaleShift: ck_f32_scale_shift__avx2, batchNormBackwardSums: ck_f32_batchnorm_backward_sums__avx2,
                batchNormBackwardData: ck_f32_batchnorm_backward_data__avx2,
                absAndSquareSums: ck_f32_abs_and_square_sums__avx2,
                regularizerGradient: ck_f32_regularizer_gradient__avx2, scaleClip: ck_f32_scale_clip__avx2))
    }()
}
#endif
