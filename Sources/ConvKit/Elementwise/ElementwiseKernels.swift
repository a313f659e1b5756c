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
}
