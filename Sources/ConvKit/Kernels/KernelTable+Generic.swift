internal import ConvKitKernels

extension KernelTable {
    /// The portable table: 128-bit vectors through GCC/clang vector extensions (SSE2 on x86-64,
    /// NEON on arm64), 4 x 8 GEMM tile, the portable packing pair. Always supported.
    static let generic = KernelTable(
        isa: .generic,
        gemm: [
            GEMMMicrokernel(symbol: "f32_gemm_4x8__vec128", isa: .generic,
                            blocking: GEMMBlocking(mr: 4, nr: 8, mc: 128, kc: 256, nc: 1024),
                            function: f32_gemm_4x8__vec128, rowMajorAFunction: f32_gemm_arow_4x8__vec128,
                            packA: ck_f32_pack_a__generic, packB: ck_f32_pack_b__generic),
        ],
        convolution: DirectConvolutionKernel(
            name: "f32_conv_fwd_4x8__vec128", isa: .generic, mr: 4, nr: 8,
            forward: f32_conv_fwd_4x8__vec128, backwardWeights: f32_conv_bwdw_4x8__vec128,
            backwardDataFewChannels: f32_conv_bwdd_few__vec128),
        pooling: PoolingKernels(
            name: "f32_*pool_nhwc__generic", isa: .generic,
            maxForward: f32_maxpool_nhwc__generic, maxBackward: f32_maxpool_backward_nhwc__generic,
            averageForward: f32_avgpool_nhwc__generic, averageBackward: f32_avgpool_backward_nhwc__generic))

}
