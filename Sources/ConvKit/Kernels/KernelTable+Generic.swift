internal import ConvKitKernels

extension KernelTable {
    /// The portable table: 128-bit vectors through GCC/clang vector extensions (SSE2 on x86-64,
    /// NEON on arm64), 4 x 8 GEMM tile, the portable packing pair. Always supported.
    static let generic = KernelTable(
        isa: .generic,
        gemm: [
            GEMMMicrokernel(
                symbol: "ck_f32_gemm_4x8__generic", isa: .generic,
                blocking: GEMMBlocking(mr: 4, nr: 8, mc: 128, kc: 256, nc: 1024),
                function: ck_f32_gemm_4x8__generic, rowMajorAFunction: ck_f32_gemm_arow_4x8__generic,
                packA: ck_f32_pack_a__generic, packB: ck_f32_pack_b__generic)
        ],
        convolution: DirectConvolutionKernel(
            name: "ck_f32_conv_fwd_4x8__generic", isa: .generic, mr: 4, nr: 8,
            forward: ck_f32_conv_fwd_4x8__generic, backwardWeights: ck_f32_conv_bwdw_4x8__generic,
            backwardDataFewChannels: ck_f32_conv_bwdd_few__generic),
        pooling: PoolingKernels(
            name: "ck_f32_*pool_nhwc__generic", isa: .generic,
            maxForward: ck_f32_maxpool_nhwc__generic, maxBackward: ck_f32_maxpool_backward_nhwc__generic,
            averageForward: ck_f32_avgpool_nhwc__generic, averageBackward: ck_f32_avgpool_backward_nhwc__generic),
        elementwise: ElementwiseKernels(
            name: "ck_f32_*__generic", isa: .generic, relu: ck_f32_relu__generic, reluBackward: ck_f32_relu_backward__generic,
            biasReLU: ck_f32_bias_relu__generic, sumRows: ck_f32_sum_rows__generic, add: ck_f32_add__generic,
            adamUpdate: ck_f32_adam_update__generic, sgdUpdate: ck_f32_sgd_update__generic,
            sgdNesterovUpdate: ck_f32_sgd_nesterov_update__generic, adagradUpdate: ck_f32_adagrad_update__generic,
            rmspropUpdate: ck_f32_rmsprop_update__generic, nadamUpdate: ck_f32_nadam_update__generic,
            activation: ck_f32_activation__generic, activationBackward: ck_f32_activation_backward__generic,
            biasActivation: ck_f32_bias_activation__generic, channelMoments: ck_f32_channel_moments__generic,
            scaleShift: ck_f32_scale_shift__generic, batchNormBackwardSums: ck_f32_batchnorm_backward_sums__generic,
            batchNormBackwardData: ck_f32_batchnorm_backward_data__generic,
            absAndSquareSums: ck_f32_abs_and_square_sums__generic,
            regularizerGradient: ck_f32_regularizer_gradient__generic, scaleClip: ck_f32_scale_clip__generic))

}
