// ConvKitKernels: the C microkernels of ConvKit, the only ISA-specific code in the package.
//
// Internal to ConvKit (imported with `internal import`); not a public API.
// Every x86-64 kernel carries its instruction set in a per-function `target` attribute, so the
// target builds with no `-m` flags and the registry in Swift picks a kernel at run time.
#ifndef CONVKIT_KERNELS_H
#define CONVKIT_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// ---------------------------------------------------------------------------------------------
// The f32 GEMM microkernel contract (BLIS-style, see Docs/Kernels.md).
//
// For an MR x NR tile of C (row-major, row stride ldc), with 1 <= m <= MR and 1 <= n <= NR:
//
//   C[i*ldc + j] := beta * C[i*ldc + j] + alpha * sum_{p<k} a[p*a_kstride + i] * b[p*b_kstride + j]
//
// for i < m, j < n. Elements of C outside m x n are neither read nor written.
// - beta == 0: C is not read (NaN or garbage in C does not propagate).
// - a: k steps of at least m floats each (a packed A micro-panel has a_kstride == MR).
// - b: k steps of NR readable floats each (a packed, zero-padded B micro-panel has
//   b_kstride == NR); columns j >= n are read but never stored.
// - k >= 1. The sum for every element is accumulated in ascending p with fused multiply-adds,
//   independent of m, n and the tile's position, so results do not depend on the partition.
//
// The "arow" variant (ck_f32_gemm_arow_MRxNR__isa, same signature, a_kstride read as lda) reads A
// in place from a row-major op(A): the term is a[i*lda + p] * b[p*b_kstride + j], everything
// else as above (the same bodies, so the same bits as on a packed panel). The driver takes it for
// small problems, where packing A does not pay.
typedef void (*ck_f32_gemm_ukernel_fn)(size_t m, size_t n, size_t k, const float *a, size_t a_kstride,
                                       const float *b, size_t b_kstride, float *c, size_t ldc, float alpha,
                                       float beta);

#if defined(__x86_64__)
void ck_f32_gemm_14x32__avx512(size_t m, size_t n, size_t k, const float *a, size_t a_kstride, const float *b,
                               size_t b_kstride, float *c, size_t ldc, float alpha, float beta);
void ck_f32_gemm_8x32__avx512(size_t m, size_t n, size_t k, const float *a, size_t a_kstride, const float *b,
                              size_t b_kstride, float *c, size_t ldc, float alpha, float beta);
void ck_f32_gemm_arow_8x32__avx512(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b,
                                   size_t b_kstride, float *c, size_t ldc, float alpha, float beta);
void ck_f32_gemm_arow_6x16__avx2(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b,
                                 size_t b_kstride, float *c, size_t ldc, float alpha, float beta);
void ck_f32_gemm_6x16__avx2(size_t m, size_t n, size_t k, const float *a, size_t a_kstride, const float *b,
                            size_t b_kstride, float *c, size_t ldc, float alpha, float beta);
#endif

/// Portable microkernel: GCC/clang 128-bit vector extensions (SSE2 on x86-64, NEON on arm64).
void ck_f32_gemm_arow_4x8__generic(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b,
                                   size_t b_kstride, float *c, size_t ldc, float alpha, float beta);
void ck_f32_gemm_4x8__generic(size_t m, size_t n, size_t k, const float *a, size_t a_kstride, const float *b,
                              size_t b_kstride, float *c, size_t ldc, float alpha, float beta);

// ---------------------------------------------------------------------------------------------
// Packing. op(X)[r][c] = x[r*rs + c*cs], with rs == 1 or cs == 1 (a row-major operand, stored
// or transposed). One pair per instruction set (CK_PACK_KERNELS; bodies in
// pack/ck_pack_template.h), each microkernel's registry entry names the pair it uses; every pair
// writes the same panels.
//
// ck_f32_pack_a__isa: packs the mc x kc block op(A) into micro-panels of mr rows: panel q holds,
// for each p < kc, the mr values op(A)[q*mr + i][p] at out[q*mr*kc + p*mr + i]. Rows past mc
// in the last panel are zero-filled.
// ck_f32_pack_b__isa: packs the kc x nc block op(B) into micro-panels of nr columns: panel q
// holds, for each p < kc, the nr values op(B)[p][q*nr + j] at out[q*nr*kc + p*nr + j]. Columns
// past nc in the last panel are zero-filled.
#define CK_PACK_KERNELS(ISA)                                                                         \
    void ck_f32_pack_a__##ISA(size_t mc, size_t kc, const float *a, size_t rs, size_t cs, size_t mr, \
                              float *out);                                                           \
    void ck_f32_pack_b__##ISA(size_t kc, size_t nc, const float *b, size_t rs, size_t cs, size_t nr, \
                              float *out);
#if defined(__x86_64__)
CK_PACK_KERNELS(avx2)
#endif
CK_PACK_KERNELS(generic)

/// Split-K reduction: C[i*ldc + j] := alpha * sum_{s < parts} partials[s*m*n + i*n + j]
/// + beta * C[i*ldc + j], summing s in ascending order; beta == 0 does not read C.
void ck_f32_reduce_partials(size_t m, size_t n, const float *partials, size_t parts, float alpha, float beta,
                            float *c, size_t ldc);

// ---------------------------------------------------------------------------------------------
// Direct-convolution microkernels (see Docs/Kernels.md). One MR x NR tile of output pixels x
// output channels, NR = 2 vectors; bodies in conv/ck_conv_template.h, one file per ISA.
//
// ck_f32_conv_fwd_ukernel_fn (implicit GEMM over an input read in place), for i < m, j < n:
//   C[i*ldc + j] := (bias ? bias[j] : 0)
//                   + sum_{s < nseg} sum_{t < seg_len} row_ptr[i][seg_off[s] + t] * w[(s*seg_len + t)*NR + j]
//   then the activation `relu` names (0 none, CK_ACTIVATION_RELU max(., 0) with NaN staying
//   NaN, or another elementwise CK_ACTIVATION_* with Keras' string defaults: the same bits as the
//   elementwise activation kernels). 1 <= m <= MR, 1 <= n <= NR. w is a packed,
//   zero-padded NR-column weight panel; row_ptr holds m pointers (one per output pixel) into
//   the input; each segment is seg_len contiguous floats. Sums run in ascending (s, t).
typedef void (*ck_f32_conv_fwd_ukernel_fn)(size_t m, size_t n, size_t nseg, size_t seg_len,
                                           const ptrdiff_t *seg_off, const float *const *row_ptr,
                                           const float *w, float *c, size_t ldc, const float *bias, int relu);
// ck_f32_conv_bwdw_ukernel_fn (weight gradient), for i < m, j < n:
//   C[i*ldc + j] := (accumulate ? C[i*ldc + j] : 0)
//                   + sum_{y < nrows} sum_{x < ncols} a[y*a_row_stride + x*a_col_stride + koff[i]]
//                                                     * g[y*g_row_stride + x*g_col_stride + j]
//   summed in ascending (y, x). Only the n columns of each g row are read.
typedef void (*ck_f32_conv_bwdw_ukernel_fn)(size_t m, size_t n, size_t nrows, size_t ncols, const float *a,
                                            ptrdiff_t a_row_stride, ptrdiff_t a_col_stride,
                                            const ptrdiff_t *koff, const float *g, size_t g_row_stride,
                                            size_t g_col_stride, float *c, size_t ldc, int accumulate);
// ck_f32_conv_bwdd_few_fn (backward data, stride 1, one image, few input channels): for input
// rows [y0, y1) of an image w columns wide and x < w, ci < cin (1 <= cin <= CK_BWDD_FEW_MAXC):
//   din[(y*w + x)*cin + ci] := sum_{ky, kx} sum_{co < cout} dout[(oy*wo + ox)*cout + co]
//                                                          * wts[((ky*kw + kx)*cin + ci)*cout + co]
//   with oy = y + pad_top - ky*dy, ox = x + pad_left - kx*dx, terms outside [0, ho) x [0, wo)
//   omitted. wts is HWIO; cout must be a multiple of the kernel's vector width (16 / 8 / 4).
//   Each sum runs over (ky, kx, co) in vector lanes, then a fixed-order horizontal add.
#define CK_BWDD_FEW_MAXC 4
typedef void (*ck_f32_conv_bwdd_few_fn)(const float *dout, size_t ho, size_t wo, size_t cout,
                                        const float *wts, size_t kh, size_t kw, size_t cin, size_t dy,
                                        size_t dx, ptrdiff_t pad_top, ptrdiff_t pad_left, float *din,
                                        size_t w, size_t y0, size_t y1);
#if defined(__x86_64__)
void ck_f32_conv_bwdd_few__avx512(const float *dout, size_t ho, size_t wo, size_t cout, const float *wts,
                                  size_t kh, size_t kw, size_t cin, size_t dy, size_t dx, ptrdiff_t pad_top,
                                  ptrdiff_t pad_left, float *din, size_t w, size_t y0, size_t y1);
void ck_f32_conv_bwdd_few__avx2(const float *dout, size_t ho, size_t wo, size_t cout, const float *wts,
                                size_t kh, size_t kw, size_t cin, size_t dy, size_t dx, ptrdiff_t pad_top,
                                ptrdiff_t pad_left, float *din, size_t w, size_t y0, size_t y1);
#endif
void ck_f32_conv_bwdd_few__generic(const float *dout, size_t ho, size_t wo, size_t cout, const float *wts,
                                   size_t kh, size_t kw, size_t cin, size_t dy, size_t dx, ptrdiff_t pad_top,
                                   ptrdiff_t pad_left, float *din, size_t w, size_t y0, size_t y1);
#define CK_CONV_KERNELS(NAME)                                                                              \
    void ck_f32_conv_fwd_##NAME(size_t m, size_t n, size_t nseg, size_t seg_len, const ptrdiff_t *seg_off, \
                                const float *const *row_ptr, const float *w, float *c, size_t ldc,         \
                                const float *bias, int relu);                                              \
    void ck_f32_conv_bwdw_##NAME(size_t m, size_t n, size_t nrows, size_t ncols, const float *a,           \
                                 ptrdiff_t a_row_stride, ptrdiff_t a_col_stride, const ptrdiff_t *koff,    \
                                 const float *g, size_t g_row_stride, size_t g_col_stride, float *c,       \
                                 size_t ldc, int accumulate);
#if defined(__x86_64__)
CK_CONV_KERNELS(14x32__avx512)
CK_CONV_KERNELS(6x16__avx2)
#endif
CK_CONV_KERNELS(4x8__generic)

// ---------------------------------------------------------------------------------------------
// Lowering (portable C), NHWC, channels [c0, c0 + cg) of c; output pixels are numbered
// p = (n*ho + oy)*wo + ox across the batch.
//
// ck_f32_im2col_nhwc: for r < count (pixel p0 + r), writes row r of col (row stride ldcol) as the
// kh*kw*cg values in[n, oy*sy + ky*dy - pad_top, ox*sx + kx*dx - pad_left, c0 + ci] in
// (ky, kx, ci) order, 0 outside the input.
void ck_f32_im2col_nhwc(const float *in, size_t h, size_t w, size_t c, size_t c0, size_t cg, size_t ho,
                        size_t wo, size_t kh, size_t kw, size_t sy, size_t sx, size_t dy, size_t dx,
                        ptrdiff_t pad_top, ptrdiff_t pad_left, size_t p0, size_t count, float *col,
                        size_t ldcol);
// ck_f32_col2im_nhwc: the adjoint: adds every element of those rows of col into the input
// position it was read from (taps outside the input are dropped); each input element receives
// its contributions in ascending row order.
void ck_f32_col2im_nhwc(const float *col, size_t ldcol, size_t p0, size_t count, float *in, size_t h,
                        size_t w, size_t c, size_t c0, size_t cg, size_t ho, size_t wo, size_t kh, size_t kw,
                        size_t sy, size_t sx, size_t dy, size_t dx, ptrdiff_t pad_top, ptrdiff_t pad_left);
// ck_f32_pad_nhwc: rows [y0, y1) of the padded image D (width wd, c channels), written densely
// to dst: D[y][x] = src[(y - pad_top) / insert_y][(x - pad_left) / insert_x] when both
// differences are >= 0, divisible by the insert factor and the quotients are inside the h x w
// source; else 0. Negative pads crop. insert > 1 inserts zeros between source pixels (used to
// turn a strided backward-data pass into a stride-1 convolution).
void ck_f32_pad_nhwc(const float *src, size_t h, size_t w, size_t c, size_t insert_y, size_t insert_x,
                     ptrdiff_t pad_top, ptrdiff_t pad_left, size_t y0, size_t y1, size_t wd, float *dst);

// ---------------------------------------------------------------------------------------------
// Reductions of partial buffers.
/// dst[i] := sum_{s < parts} src[s*part_stride + i] for i < count, summed in ascending s.
void ck_f32_sum_parts(size_t count, size_t parts, size_t part_stride, const float *src, float *dst);
/// dst[j*ldd + i] := src[i*lds + j] for i < rows, j < cols (layout conversion).
void ck_f32_transpose(size_t rows, size_t cols, const float *src, size_t lds, float *dst, size_t ldd);
/// The same for any 32-bit elements (bit patterns copied exactly), e.g. pooling indices.
void ck_x32_transpose(size_t rows, size_t cols, const uint32_t *src, size_t lds, uint32_t *dst, size_t ldd);

// ---------------------------------------------------------------------------------------------
// Pooling over one NHWC image (h x w x c in, oh x ow x c out). Window of output (oy, ox): rows
// [oy*sy - pad_top, + kh) and columns [ox*sx - pad_left, + kw), clipped to the input.
//
// One set per ISA (CK_POOL_KERNELS below; bodies in pool/ck_pool_template.h), chosen at run time
// like the GEMM and convolution kernels, so every variant can be tested on an AVX-512 machine.
//
// ck_f32_maxpool_nhwc__isa: output rows [oh0, oh1): the maximum over the window's input elements;
// NaN propagates (a NaN replaces the maximum, PyTorch's rule); ties keep the first element in
// row-major window order. indices (may be NULL: inference) receives the flat input position
// y*w + x of each maximum. Every window must contain at least one input element.
// ck_f32_maxpool_backward_nhwc__isa: input rows [y0, y1) of din := the sum, over the windows
// containing the element in ascending output order starting from 0, of dout[p] where
// indices[p] is the element (the result of a scatter din[indices[p]] += dout[p] over every p in
// ascending order, computed as a gather: din is written once and never read, and row bands can
// run in parallel). Returns the number of (output, channel) elements whose index is an element
// of these rows inside that output's window: summed over all rows, it equals the output count
// exactly when every index lies in its own window (as forward's do); others are dropped.
// ck_f32_avgpool_nhwc__isa: output rows [oh0, oh1): sum over the window's input elements times
// 1/divisor; divisor = the window area clipped to the padded input (include_pad) or the number
// of input elements in the window.
// ck_f32_avgpool_backward_nhwc__isa: input rows [y0, y1) of din := the sum, over the windows
// containing the element in ascending output order, of the window's gradient times 1/divisor
// (the forward's divisor); a gather, like the max pooling backward.
// Max pooling backward: streaming != 0 asks for non-temporal stores of din (for a din larger than
// the caches, they save the read of each line before it is written); taken when c is a multiple
// of 16 and din suitably aligned, otherwise ignored. The result does not depend on it. (The
// average pooling backward has no such path: it measured no faster with one.)
#define CK_POOL_KERNELS(ISA)                                                                                 \
    void ck_f32_maxpool_nhwc__##ISA(const float *in, size_t h, size_t w, size_t c, size_t oh0, size_t oh1,   \
                                    size_t ow, size_t kh, size_t kw, size_t sy, size_t sx,                   \
                                    ptrdiff_t pad_top, ptrdiff_t pad_left, float *out, int32_t *indices);    \
    size_t ck_f32_maxpool_backward_nhwc__##ISA(                                                              \
        const float *dout, const int32_t *indices, size_t oh, size_t ow, size_t c, float *din, size_t h,     \
        size_t w, size_t y0, size_t y1, size_t kh, size_t kw, size_t sy, size_t sx, ptrdiff_t pad_top,       \
        ptrdiff_t pad_left, int streaming);                                                                  \
    void ck_f32_avgpool_nhwc__##ISA(const float *in, size_t h, size_t w, size_t c, size_t oh0, size_t oh1,   \
                                    size_t ow, size_t kh, size_t kw, size_t sy, size_t sx,                   \
                                    ptrdiff_t pad_top, ptrdiff_t pad_left, ptrdiff_t pad_bottom,             \
                                    ptrdiff_t pad_right, int include_pad, float *out);                       \
    void ck_f32_avgpool_backward_nhwc__##ISA(const float *dout, size_t oh, size_t ow, size_t c, float *din,  \
                                             size_t h, size_t w, size_t y0, size_t y1, size_t kh, size_t kw, \
                                             size_t sy, size_t sx, ptrdiff_t pad_top, ptrdiff_t pad_left,    \
                                             ptrdiff_t pad_bottom, ptrdiff_t pad_right, int include_pad);
#if defined(__x86_64__)
CK_POOL_KERNELS(avx512)
CK_POOL_KERNELS(avx2)
#endif
CK_POOL_KERNELS(generic)

// ---------------------------------------------------------------------------------------------
// Elementwise kernels, one set per ISA (ck_f32_<op>__<isa>, from ck_eltwise_template.h):
//   relu: y[i] := max(x[i], 0) (NaN stays NaN); x == y allowed.
//   relu_backward: dx[i] := y[i] > 0 ? dy[i] : 0, where y is the ReLU output; dy == dx allowed.
//   bias_relu: c[i*ldc + j] := c[i*ldc + j] + bias[j] (bias may be NULL), then max(., 0) when relu.
//   sum_rows: out[j] := (accumulate ? out[j] : 0) + sum_{i < m} x[i*ldx + j], summed in ascending i.
//   add: y[i] += x[i].
//   adam_update (Keras form): m += (g - m)(1 - beta1); v += (g^2 - v)(1 - beta2);
//     w -= alpha m / (sqrt(v) + epsilon), with alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t).
//   sgd_update: g' = g + weight_decay * w; with velocity: velocity = momentum * velocity - lr * g',
//     w += velocity; else w -= lr * g'.
//   sgd_nesterov_update: as sgd_update with velocity, then w += momentum * velocity - lr * g' (Keras' Nesterov).
//   adagrad_update: accumulator += g^2; w -= lr g / sqrt(accumulator + epsilon).
//   rmsprop_update: v = rho v + (1 - rho) g^2; centered (average_gradient not NULL): a = rho a + (1 - rho) g,
//     denominator v - a^2 + epsilon, else v + epsilon; increment = lr g / sqrt(denominator); with
//     momentum_buffer: b = momentum b + increment, w -= b; else w -= increment.
//   nadam_update (Keras' form): m += (g - m)(1 - beta1); v += (g^2 - v)(1 - beta2);
//     m_hat = u_t_1 m / (1 - u_product_t_1) + (1 - u_t) g / (1 - u_product_t); v_hat = v / (1 - beta_2_power);
//     w -= m_hat lr / (sqrt(v_hat) + epsilon), with the step's scalars computed by the caller.
//   activation: y := f(x) on rows x n floats (x == y allowed); kinds below; alpha is leaky ReLU's
//     negative slope and ELU's alpha. Softmax works on each row of n (max subtracted, sum in index
//     order). Error bounds of the exp-based kinds: Kernels/common/ck_math.h.
//   activation_backward: dx := dy * f'(x), computed from the forward's output y (dy == dx allowed):
//     relu y > 0; sigmoid y (1 - y); tanh 1 - y^2; leaky ReLU 1 or alpha by y > 0 (alpha >= 0);
//     ELU 1 or y + alpha by y > 0 (alpha > 0); softplus 1 - e^-y; softmax per row y (dy - sum(dy y)).
//   bias_activation: per row of c, add bias (may be NULL), then the activation on the row.
//   channel_moments: with v = x[i][j] - shift[j]: sum[j] += v, sum_squares[j] += v^2 over rows i, summed
//     in float over blocks of 16 rows (ascending), the block sums added in double.
//   scale_shift: y[i][j] := x[i][j] * scale[j] + shift[j].
//   batchnorm_backward_sums: sum_dy[j] += dy[i][j]; sum_dy_centered[j] += dy[i][j] (x[i][j] - mean[j]),
//     blocked as channel_moments.
//   batchnorm_backward_data: xhat = (x - mean) inverse_std; dx := gain ((dy - mean_dy) - xhat mean_dy_xhat).
//   abs_and_square_sums: sum |x|, sum x^2 (double, 8 lanes of index i mod 8 added in lane order).
//   regularizer_gradient: g += l1 sign(w) + 2 l2 w (sign(0) = 0).
//   scale_clip: x := clamp(x * scale, -limit, limit) (limit may be +Inf; NaN stays NaN).
// Every element is computed by the same operations in every set, so the bits do not depend on the ISA.
enum {
    CK_ACTIVATION_NONE = 0,
    CK_ACTIVATION_RELU = 1,
    CK_ACTIVATION_SIGMOID = 2,
    CK_ACTIVATION_TANH = 3,
    CK_ACTIVATION_LEAKY_RELU = 4,
    CK_ACTIVATION_ELU = 5,
    CK_ACTIVATION_SOFTPLUS = 6,
    CK_ACTIVATION_SOFTMAX = 7,
};
typedef void (*ck_f32_activation_fn)(int kind, size_t rows, size_t n, const float *x, float *y, float alpha);
typedef void (*ck_f32_activation_backward_fn)(int kind, size_t rows, size_t n, const float *y,
                                              const float *dy, float *dx, float alpha);
typedef void (*ck_f32_bias_activation_fn)(size_t m, size_t n, float *c, size_t ldc, const float *bias,
                                          int kind, float alpha);
typedef void (*ck_f32_channel_moments_fn)(size_t rows, size_t c, const float *x, const float *shift,
                                          double *sum, double *sum_squares);
typedef void (*ck_f32_scale_shift_fn)(size_t rows, size_t c, const float *x, float *y, const float *scale,
                                      const float *shift);
typedef void (*ck_f32_batchnorm_backward_sums_fn)(size_t rows, size_t c, const float *x, const float *dy,
                                                  const float *mean, double *sum_dy, double *sum_dy_centered);
typedef void (*ck_f32_batchnorm_backward_data_fn)(size_t rows, size_t c, const float *x, const float *dy,
                                                  float *dx, const float *mean, const float *inverse_std,
                                                  const float *gain, const float *mean_dy,
                                                  const float *mean_dy_xhat);
typedef void (*ck_f32_abs_and_square_sums_fn)(size_t n, const float *x, double *sum_abs, double *sum_squares);
typedef void (*ck_f32_regularizer_gradient_fn)(size_t n, const float *w, float *g, float l1, float l2);
typedef void (*ck_f32_scale_clip_fn)(size_t n, float *x, float scale, float limit);
typedef void (*ck_f32_relu_fn)(size_t n, const float *x, float *y);
typedef void (*ck_f32_relu_backward_fn)(size_t n, const float *y, const float *dy, float *dx);
typedef void (*ck_f32_bias_relu_fn)(size_t m, size_t n, float *c, size_t ldc, const float *bias, int relu);
typedef void (*ck_f32_sum_rows_fn)(size_t m, size_t n, const float *x, size_t ldx, float *out,
                                   int accumulate);
typedef void (*ck_f32_add_fn)(size_t n, const float *x, float *y);
typedef void (*ck_f32_adam_update_fn)(size_t n, float *w, const float *g, float *m, float *v, float alpha,
                                      float beta1, float beta2, float epsilon);
typedef void (*ck_f32_sgd_update_fn)(size_t n, float *w, const float *g, float *velocity, float learning_rate,
                                     float momentum, float weight_decay);
typedef void (*ck_f32_adagrad_update_fn)(size_t n, float *w, const float *g, float *accumulator,
                                         float learning_rate, float epsilon);
typedef void (*ck_f32_rmsprop_update_fn)(size_t n, float *w, const float *g, float *velocity,
                                         float *momentum_buffer, float *average_gradient, float learning_rate,
                                         float rho, float momentum, float epsilon);
typedef void (*ck_f32_nadam_update_fn)(size_t n, float *w, const float *g, float *m, float *v,
                                       float learning_rate, float beta1, float beta2, float epsilon,
                                       float u_t, float u_t_1, float u_product_t, float u_product_t_1,
                                       float beta_2_power);
#define CK_ELTWISE_KERNELS(ISA)                                                                              \
    void ck_f32_relu__##ISA(size_t n, const float *x, float *y);                                             \
    void ck_f32_relu_backward__##ISA(size_t n, const float *y, const float *dy, float *dx);                  \
    void ck_f32_bias_relu__##ISA(size_t m, size_t n, float *c, size_t ldc, const float *bias, int relu);     \
    void ck_f32_sum_rows__##ISA(size_t m, size_t n, const float *x, size_t ldx, float *out, int accumulate); \
    void ck_f32_add__##ISA(size_t n, const float *x, float *y);                                              \
    void ck_f32_adam_update__##ISA(size_t n, float *w, const float *g, float *m, float *v, float alpha,      \
                                   float beta1, float beta2, float epsilon);                                 \
    void ck_f32_sgd_update__##ISA(size_t n, float *w, const float *g, float *velocity, float learning_rate,  \
                                  float momentum, float weight_decay);                                       \
    void ck_f32_sgd_nesterov_update__##ISA(size_t n, float *w, const float *g, float *velocity,              \
                                           float learning_rate, float momentum, float weight_decay);         \
    void ck_f32_adagrad_update__##ISA(size_t n, float *w, const float *g, float *accumulator,                \
                                      float learning_rate, float epsilon);                                   \
    void ck_f32_rmsprop_update__##ISA(size_t n, float *w, const float *g, float *velocity,                   \
                                      float *momentum_buffer, float *average_gradient, float learning_rate,  \
                                      float rho, float momentum, float epsilon);                             \
    void ck_f32_nadam_update__##ISA(size_t n, float *w, const float *g, float *m, float *v,                  \
                                    float learning_rate, float beta1, float beta2, float epsilon, float u_t, \
                                    float u_t_1, float u_product_t, float u_product_t_1,                     \
                                    float beta_2_power);                                                     \
    void ck_f32_activation__##ISA(int kind, size_t rows, size_t n, const float *x, float *y, float alpha);   \
    void ck_f32_activation_backward__##ISA(int kind, size_t rows, size_t n, const float *y, const float *dy, \
                                           float *dx, float alpha);                                          \
    void ck_f32_bias_activation__##ISA(size_t m, size_t n, float *c, size_t ldc, const float *bias,          \
                                       int kind, float alpha);                                               \
    void ck_f32_channel_moments__##ISA(size_t rows, size_t c, const float *x, const float *shift,            \
                                       double *sum, double *sum_squares);                                    \
    void ck_f32_scale_shift__##ISA(size_t rows, size_t c, const float *x, float *y, const float *scale,      \
                                   const float *shift);                                                      \
    void ck_f32_batchnorm_backward_sums__##ISA(size_t rows, size_t c, const float *x, const float *dy,       \
                                               const float *mean, double *sum_dy, double *sum_dy_centered);  \
    void ck_f32_batchnorm_backward_data__##ISA(                                                              \
        size_t rows, size_t c, const float *x, const float *dy, float *dx, const float *mean,                \
        const float *inverse_std, const float *gain, const float *mean_dy, const float *mean_dy_xhat);       \
    void ck_f32_abs_and_square_sums__##ISA(size_t n, const float *x, double *sum_abs, double *sum_squares);  \
    void ck_f32_regularizer_gradient__##ISA(size_t n, const float *w, float *g, float l1, float l2);         \
    void ck_f32_scale_clip__##ISA(size_t n, float *x, float scale, float limit);
#if defined(__x86_64__)
CK_ELTWISE_KERNELS(avx512)
CK_ELTWISE_KERNELS(avx2)
#endif
CK_ELTWISE_KERNELS(generic)

/// Softmax cross-entropy from logits (rows of `classes`): for each row r, loss[r] =
/// logsumexp(z_r) - z_r[label_r]; dlogits[r] = (softmax(z_r) - onehot(label_r)) * scale.
/// Labels must be in [0, classes). dlogits may be NULL.
void ck_f32_softmax_xent(size_t rows, size_t classes, const float *logits, const int32_t *labels, float scale,
                         float *loss, float *dlogits);

// ---------------------------------------------------------------------------------------------
// Runtime support.

/// 1 when the CPU and the OS support the instruction set (AVX-512F; AVX2 with FMA), else 0.
int ck_cpu_has_avx512(void);
int ck_cpu_has_avx2_fma(void);

/// Sets (on != 0) or clears flush-to-zero and denormals-are-zero for the calling thread (x86-64
/// MXCSR; no effect elsewhere); returns 1 if both were set before.
unsigned ck_fp_flush_denormals(int on);

/// Returns *counter and increments it atomically (relaxed): the work counter of a parallel region.
long ck_fetch_add(long *counter);
/// A spin-wait hint to the core (x86 pause, arm64 yield).
void ck_cpu_relax(void);
/// Gives the core to another runnable thread (sched_yield).
void ck_yield_thread(void);

/// Per-thread depth of ConvKit parallel regions (0 outside any region).
int ck_parallel_depth(void);
void ck_parallel_depth_add(int delta);

#ifdef __cplusplus
}
#endif

#endif
