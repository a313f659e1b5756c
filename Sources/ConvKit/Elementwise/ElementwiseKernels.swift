internal import ConvKitKernels

/// The elementwise kernels compiled for one instruction set (`ck_f32_relu__avx2`, ...), listed in
/// that ISA's ``KernelTable``. Each computes every element with the same operations in every set
/// (no FMA contraction), so their bits do not depend on the ISA.
struct ElementwiseKernels: Sendable {
    /// The kernels' names with `*` for the operation (`ck_f32_*__avx2`).
    let name: String
    let isa: ISA
    let relu: ck_f32_relu_fn
    let reluBackward: ck_f32_relu_backward_fn
    let biasReLU: ck_f32_bias_relu_fn
    let sumRows: ck_f32_sum_rows_fn
    let add: ck_f32_add_fn
    let adamUpdate: ck_f32_adam_update_fn
    let sgdUpdate: ck_f32_sgd_update_fn
    let sgdNesterovUpdate: ck_f32_sgd_update_fn
    let adagradUpdate: ck_f32_adagrad_update_fn
    let rmspropUpdate: ck_f32_rmsprop_update_fn
    let nadamUpdate: ck_f32_nadam_update_fn
    let activation: ck_f32_activation_fn
    let activationBackward: ck_f32_activation_backward_fn
    let biasActivation: ck_f32_bias_activation_fn
    let channelMoments: ck_f32_channel_moments_fn
    let scaleShift: ck_f32_scale_shift_fn
    let batchNormBackwardSums: ck_f32_batchnorm_backward_sums_fn
    let batchNormBackwardData: ck_f32_batchnorm_backward_data_fn
    let absAndSquareSums: ck_f32_abs_and_square_sums_fn
    let regularizerGradient: ck_f32_regularizer_gradient_fn
    let scaleClip: ck_f32_scale_clip_fn
}
