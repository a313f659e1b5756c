// Direct-convolution microkernels, written once with GCC/clang vector extensions and compiled per
// instruction set by the files that include this header (ck_f32_conv_*__avx512.c, __avx2.c,
// __generic.c). Private to ConvKitKernels; the contracts are in ConvKitKernels.h.
//
// An including file defines, before #include:
//   CK_V       the vector type (vector_size of CK_VW floats)
//   CK_VW      floats per vector; a tile is CK_NR = 2 * CK_VW columns wide
//   CK_MR      rows per tile (CK_MR x 2 accumulators must fit the register file)
//   CK_TARGET  the function attribute that selects the instruction set (may be empty)
//   CK_FWD     the name of the implicit-GEMM kernel (ck_f32_conv_fwd_ukernel_fn)
//   CK_BWDW    the name of the weight-gradient kernel (ck_f32_conv_bwdw_ukernel_fn)
//   CK_BWDD_FEW the name of the few-input-channel backward-data kernel (ck_f32_conv_bwdd_few_fn)
#include <string.h>
#include <stddef.h>
#include <stdint.h>
#include "ConvKitKernels.h"
#include "../common/ck_math.h"

#define CK_NR                      (2 * CK_VW)
#define CK_BWDW_PREFETCH           4
#define CK_BWDW_PREFETCH_MIN_BYTES (16 * 1024)
#define CK_CAT2(a, b)              a##b
#define CK_CAT(a, b)               CK_CAT2(a, b)
#define CK_LOCAL(name)             CK_CAT(name, CK_CAT(_, CK_FWD))

typedef int CK_LOCAL(ck_vi) __attribute__((vector_size(CK_VW * 4)));

// max(v, 0) that keeps NaN (a NaN input stays NaN, as in TensorFlow and PyTorch).
static inline __attribute__((always_inline)) CK_TARGET CK_V CK_LOCAL(ck_relu)(CK_V v) {
    const CK_V zero = { 0 };
    return (CK_V)((CK_LOCAL(ck_vi))v & ~(v < zero));
}

static inline __attribute__((always_inline)) CK_TARGET CK_V CK_LOCAL(ck_load)(const float *p) {
    CK_V v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline __attribute__((always_inline)) CK_TARGET void CK_LOCAL(ck_store)(float *p, CK_V v) {
    memcpy(p, &v, sizeof v);
}

// An activation other than ReLU on n stored floats of a row, with Keras' string defaults
// (leaky ReLU 0.2, ELU 1): the element functions of the elementwise kernels, so the bits match
// a separate pass.
static inline __attribute__((always_inline)) CK_TARGET void CK_LOCAL(ck_activate_row)(int activation,
                                                                                      float *row, size_t n) {
    switch (activation) {
    case CK_ACTIVATION_SIGMOID:
        for (size_t j = 0; j < n; j++) row[j] = ck_sigmoidf(row[j]);
        break;
    case CK_ACTIVATION_TANH:
        for (size_t j = 0; j < n; j++) row[j] = ck_tanhf(row[j]);
        break;
    case CK_ACTIVATION_LEAKY_RELU:
        for (size_t j = 0; j < n; j++) row[j] = ck_leaky_reluf(row[j], 0.2f);
        break;
    case CK_ACTIVATION_ELU:
        for (size_t j = 0; j < n; j++) row[j] = ck_eluf(row[j], 1.0f);
        break;
    case CK_ACTIVATION_SOFTPLUS:
        for (size_t j = 0; j < n; j++) row[j] = ck_softplusf(row[j]);
        break;
    default: break;
    }
}

// Stores rows x n of the accumulators into C: C := acc (+ C when accumulate) (+ bias), then the
// activation (CK_ACTIVATION_*; ReLU in the vectors, the others on the stored rows; softmax is not
// elementwise and is not applied here). Columns j >= n are neither read nor written.
static inline __attribute__((always_inline)) CK_TARGET void
CK_LOCAL(ck_epilogue)(const int rows, size_t n, const CK_V *acc0, const CK_V *acc1, float *c, size_t ldc,
                      const float *bias, int accumulate, int activation) {
    const int relu = activation == CK_ACTIVATION_RELU;
    const CK_V zero = { 0 };
    CK_V b0 = zero, b1 = zero;
    if (bias != NULL) {
        if (n >= CK_NR) {
            b0 = CK_LOCAL(ck_load)(bias);
            b1 = CK_LOCAL(ck_load)(bias + CK_VW);
        } else {
            float tmp[CK_NR] = { 0 };
            memcpy(tmp, bias, n * sizeof(float));
            b0 = CK_LOCAL(ck_load)(tmp);
            b1 = CK_LOCAL(ck_load)(tmp + CK_VW);
        }
    }
#pragma clang loop unroll(full)
    for (int i = 0; i < rows; i++) {
        float *ci = c + (size_t)i * ldc;
        CK_V r0 = acc0[i], r1 = acc1[i];
        if (n >= CK_NR) {
            if (accumulate) {
                r0 += CK_LOCAL(ck_load)(ci);
                r1 += CK_LOCAL(ck_load)(ci + CK_VW);
            }
            r0 += b0;
            r1 += b1;
            if (relu) {
                r0 = CK_LOCAL(ck_relu)(r0);
                r1 = CK_LOCAL(ck_relu)(r1);
            }
            CK_LOCAL(ck_store)(ci, r0);
            CK_LOCAL(ck_store)(ci + CK_VW, r1);
        } else {
            float tile[CK_NR];
            CK_LOCAL(ck_store)(tile, r0);
            CK_LOCAL(ck_store)(tile + CK_VW, r1);
            float btile[CK_NR];
            CK_LOCAL(ck_store)(btile, b0);
            CK_LOCAL(ck_store)(btile + CK_VW, b1);
            for (size_t j = 0; j < n; j++) {
                float v = tile[j];
                if (accumulate) v += ci[j];
                v += btile[j];
                if (relu && v < 0.0f) v = 0.0f;
                ci[j] = v;
            }
        }
        if (activation > CK_ACTIVATION_RELU) CK_LOCAL(ck_activate_row)(activation, ci, n);
    }
}

static inline __attribute__((always_inline)) CK_TARGET void
CK_LOCAL(ck_fwd_rows)(const int rows, size_t n, size_t nseg, size_t seg_len, const ptrdiff_t *seg_off,
                      const float *const *row_ptr, const float *w, float *c, size_t ldc, const float *bias,
                      int relu) {
    const CK_V zero = { 0 };
    CK_V acc0[CK_MR], acc1[CK_MR];
#pragma clang loop unroll(full)
    for (int i = 0; i < rows; i++) {
        acc0[i] = zero;
        acc1[i] = zero;
    }
    for (size_t s = 0; s < nseg; s++) {
        const float *a[CK_MR];
        const ptrdiff_t off = seg_off[s];
#pragma clang loop unroll(full)
        for (int i = 0; i < rows; i++) a[i] = row_ptr[i] + off;
        for (size_t t = 0; t < seg_len; t++) {
            const CK_V w0 = CK_LOCAL(ck_load)(w);
            const CK_V w1 = CK_LOCAL(ck_load)(w + CK_VW);
#pragma clang loop unroll(full)
            for (int i = 0; i < rows; i++) {
                const CK_V ai = a[i][t] - zero; // splat (x - 0 is exact, so it folds away)
                acc0[i] += ai * w0;
                acc1[i] += ai * w1;
            }
            w += CK_NR;
        }
    }
    CK_LOCAL(ck_epilogue)(rows, n, acc0, acc1, c, ldc, bias, 0, relu);
}

// prefetch != 0 (a compile-time constant): the image's gradient is larger than L1 can keep between
// calls (CK_BWDW_PREFETCH_MIN_BYTES), so the loop prefetches the next pixels' lines from L2; small
// images stay in L1, where the prefetches would only cost issue slots.
// contiguous != 0 (a compile-time constant at each call): koff[i] == koff[0] + i, so the rows'
// elements are one pointer plus constant offsets (no pointer per row to keep in registers).
static inline __attribute__((always_inline)) CK_TARGET void
CK_LOCAL(ck_bwdw_rows)(const int rows, const int contiguous, const int prefetch, size_t n, size_t nrows,
                       size_t ncols, const float *a, ptrdiff_t a_row_stride, ptrdiff_t a_col_stride,
                       const ptrdiff_t *koff, const float *g, size_t g_row_stride, size_t g_col_stride,
                       float *c, size_t ldc, int accumulate) {
    const CK_V zero = { 0 };
    CK_V acc0[CK_MR], acc1[CK_MR];
    const float *ak[CK_MR];
#pragma clang loop unroll(full)
    for (int i = 0; i < rows; i++) {
        acc0[i] = zero;
        acc1[i] = zero;
        ak[i] = contiguous ? a + koff[0] + i : a + koff[i];
    }
    // Floats from g to the end of the last pixel's n gradients.
    const size_t region = nrows && ncols ? (nrows - 1) * g_row_stride + (ncols - 1) * g_col_stride + n : 0;
    for (size_t y = 0; y < nrows; y++) {
        const float *gy = g + y * g_row_stride;
        const ptrdiff_t ay = (ptrdiff_t)y * a_row_stride;
        for (size_t x = 0; x < ncols; x++) {
            const float *gp = gy + x * g_col_stride;
            const ptrdiff_t off = ay + (ptrdiff_t)x * a_col_stride;
            if (prefetch) {
                // The gradient and input lines CK_BWDW_PREFETCH pixels ahead (addresses computed as
                // integers: near the end of the image they lie past it, and prefetches never fault).
                const uintptr_t gnext = (uintptr_t)gp + CK_BWDW_PREFETCH * g_col_stride * sizeof(float);
                const uintptr_t anext =
                    (uintptr_t)(ak[0] + off) + CK_BWDW_PREFETCH * (uintptr_t)a_col_stride * sizeof(float);
                __builtin_prefetch((const void *)gnext);
                __builtin_prefetch((const void *)(gnext + (CK_NR - 1) * sizeof(float)));
                __builtin_prefetch((const void *)anext);
                __builtin_prefetch((const void *)(anext + (uintptr_t)(ak[rows - 1] - ak[0]) * sizeof(float)));
            }
            CK_V g0, g1;
            // A narrow tile (n < CK_NR) loads whole vectors too wherever they stay inside the
            // gradient region this call reads: the lanes past n only feed accumulators the
            // epilogue never stores. Only the last pixels go through a zero-padded copy.
            if (n >= CK_NR || (size_t)(gp - g) + CK_NR <= region) {
                g0 = CK_LOCAL(ck_load)(gp);
                g1 = CK_LOCAL(ck_load)(gp + CK_VW);
            } else {
                float tmp[CK_NR] = { 0 };
                memcpy(tmp, gp, n * sizeof(float));
                g0 = CK_LOCAL(ck_load)(tmp);
                g1 = CK_LOCAL(ck_load)(tmp + CK_VW);
            }
#pragma clang loop unroll(full)
            for (int i = 0; i < rows; i++) {
                const CK_V ai = ak[i][off] - zero;
                acc0[i] += ai * g0;
                acc1[i] += ai * g1;
            }
        }
    }
    CK_LOCAL(ck_epilogue)(rows, n, acc0, acc1, c, ldc, NULL, accumulate, 0);
}

// One case per row count, laid out as a table (not reflowed).
// clang-format off
#define CK_FWD_CASE(R) \
    case R: CK_LOCAL(ck_fwd_rows)(R, n, nseg, seg_len, seg_off, row_ptr, w, c, ldc, bias, relu); break;
#define CK_BWDW_CALL(R, CONTIGUOUS, PREFETCH)                                                      \
    CK_LOCAL(ck_bwdw_rows)(R, CONTIGUOUS, PREFETCH, n, nrows, ncols, a, a_row_stride, a_col_stride, \
                           koff, g, g_row_stride, g_col_stride, c, ldc, accumulate)
#define CK_BWDW_CASE(R)                                                      \
    case R:                                                                  \
        if (contiguous) {                                                    \
            if (prefetch) CK_BWDW_CALL(R, 1, 1); else CK_BWDW_CALL(R, 1, 0); \
        } else {                                                             \
            if (prefetch) CK_BWDW_CALL(R, 0, 1); else CK_BWDW_CALL(R, 0, 0); \
        }                                                                    \
        break;

CK_TARGET void CK_FWD(size_t m, size_t n, size_t nseg, size_t seg_len, const ptrdiff_t *seg_off,
                      const float *const *row_ptr, const float *w, float *c, size_t ldc,
                      const float *bias, int relu) {
    switch (m) {
#if CK_MR >= 14
        CK_FWD_CASE(14) CK_FWD_CASE(13) CK_FWD_CASE(12) CK_FWD_CASE(11) CK_FWD_CASE(10)
        CK_FWD_CASE(9) CK_FWD_CASE(8) CK_FWD_CASE(7)
#endif
#if CK_MR >= 6
        CK_FWD_CASE(6) CK_FWD_CASE(5)
#endif
        CK_FWD_CASE(4) CK_FWD_CASE(3) CK_FWD_CASE(2) CK_FWD_CASE(1)
        default: break;
    }
}

CK_TARGET void CK_BWDW(size_t m, size_t n, size_t nrows, size_t ncols, const float *a,
                       ptrdiff_t a_row_stride, ptrdiff_t a_col_stride, const ptrdiff_t *koff,
                       const float *g, size_t g_row_stride, size_t g_col_stride, float *c,
                       size_t ldc, int accumulate) {
    int contiguous = 1;
    for (size_t i = 1; i < m; i++) contiguous &= koff[i] == koff[0] + (ptrdiff_t)i;
    const int prefetch = nrows * ncols * g_col_stride * sizeof(float) >= CK_BWDW_PREFETCH_MIN_BYTES;
    switch (m) {
#if CK_MR >= 14
        CK_BWDW_CASE(14) CK_BWDW_CASE(13) CK_BWDW_CASE(12) CK_BWDW_CASE(11) CK_BWDW_CASE(10)
        CK_BWDW_CASE(9) CK_BWDW_CASE(8) CK_BWDW_CASE(7)
#endif
#if CK_MR >= 6
        CK_BWDW_CASE(6) CK_BWDW_CASE(5)
#endif
        CK_BWDW_CASE(4) CK_BWDW_CASE(3) CK_BWDW_CASE(2) CK_BWDW_CASE(1)
        default: break;
    }
}
// clang-format on

// ---------------------------------------------------------------------------------------------
// Backward data for few input channels (cin <= CK_BWDD_FEW_MAXC, stride 1): vectorised along the
// output channels (the reduction axis), CK_BWDD_PIXELS input pixels of a row at a time, each
// sum finished by a fixed-order horizontal add. (The generic direct pass vectorises along the
// input channels, which are its output channels: 3 of 16 lanes for an RGB layer.)

#define CK_BWDD_PIXELS 4

// The lanes of v summed pairwise by halves (a fixed order: lane j + half is added to lane j,
// halving until one lane is left), with vector shuffles.
typedef float CK_LOCAL(ck_h8) __attribute__((vector_size(32)));
typedef float CK_LOCAL(ck_h4) __attribute__((vector_size(16)));
typedef float CK_LOCAL(ck_h2) __attribute__((vector_size(8)));

static inline __attribute__((always_inline)) CK_TARGET float CK_LOCAL(ck_hsum)(CK_V v) {
#if CK_VW == 16
    const CK_LOCAL(ck_h8) a = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) +
                              __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
#elif CK_VW == 8
    const CK_LOCAL(ck_h8) a = v;
#endif
#if CK_VW >= 8
    const CK_LOCAL(ck_h4) b =
        __builtin_shufflevector(a, a, 0, 1, 2, 3) + __builtin_shufflevector(a, a, 4, 5, 6, 7);
#else
    const CK_LOCAL(ck_h4) b = v;
#endif
    const CK_LOCAL(ck_h2) c = __builtin_shufflevector(b, b, 0, 1) + __builtin_shufflevector(b, b, 2, 3);
    return c[0] + c[1];
}

// PIXELS neighbouring input pixels of a row: din[p*CIN + ci] for p < PIXELS, ci < CIN. With
// CHECKED (PIXELS = 1, near the borders) each column tap is checked against the gradient's
// width; without, every column tap of every pixel must lie inside it. Rows are always checked.
static inline __attribute__((always_inline)) CK_TARGET void
CK_LOCAL(ck_bwdd_pixels)(const int CIN, const int PIXELS, const int CHECKED, const float *dout, size_t ho,
                         size_t wo, size_t cout, const float *wts, size_t kh, size_t kw, size_t dy, size_t dx,
                         ptrdiff_t oy_base, ptrdiff_t ox_base, float *din) {
    const CK_V zero = { 0 };
    CK_V acc[CK_BWDD_PIXELS][CK_BWDD_FEW_MAXC];
#pragma clang loop unroll(full)
    for (int p = 0; p < PIXELS; p++) {
#pragma clang loop unroll(full)
        for (int ci = 0; ci < CIN; ci++) acc[p][ci] = zero;
    }
    for (size_t ky = 0; ky < kh; ky++) {
        const ptrdiff_t oy = oy_base - (ptrdiff_t)(ky * dy);
        if (oy < 0 || oy >= (ptrdiff_t)ho) continue;
        const float *grow = dout + (size_t)oy * wo * cout;
        for (size_t kx = 0; kx < kw; kx++) {
            const ptrdiff_t ox = ox_base - (ptrdiff_t)(kx * dx);
            if (CHECKED && (ox < 0 || ox >= (ptrdiff_t)wo)) continue;
            const float *g = grow + (size_t)ox * cout;
            const float *wt = wts + (ky * kw + kx) * (size_t)CIN * cout;
            for (size_t co = 0; co < cout; co += CK_VW) {
                CK_V wv[CK_BWDD_FEW_MAXC];
#pragma clang loop unroll(full)
                for (int ci = 0; ci < CIN; ci++) wv[ci] = CK_LOCAL(ck_load)(wt + (size_t)ci * cout + co);
#pragma clang loop unroll(full)
                for (int p = 0; p < PIXELS; p++) {
                    const CK_V gv = CK_LOCAL(ck_load)(g + (size_t)p * cout + co);
#pragma clang loop unroll(full)
                    for (int ci = 0; ci < CIN; ci++) acc[p][ci] += gv * wv[ci];
                }
            }
        }
    }
#pragma clang loop unroll(full)
    for (int p = 0; p < PIXELS; p++) {
#pragma clang loop unroll(full)
        for (int ci = 0; ci < CIN; ci++) din[(size_t)p * CIN + ci] = CK_LOCAL(ck_hsum)(acc[p][ci]);
    }
}

static inline __attribute__((always_inline)) CK_TARGET void
CK_LOCAL(ck_bwdd_rows)(const int CIN, const float *dout, size_t ho, size_t wo, size_t cout, const float *wts,
                       size_t kh, size_t kw, size_t dy, size_t dx, ptrdiff_t pad_top, ptrdiff_t pad_left,
                       float *din, size_t w, size_t y0, size_t y1) {
    // Pixels x whose column taps all hit the gradient: 0 <= x + pad_left - kx*dx < wo for every kx.
    const ptrdiff_t first = (ptrdiff_t)((kw - 1) * dx) - pad_left;
    const ptrdiff_t last = (ptrdiff_t)wo - 1 - pad_left; // inclusive
    for (size_t y = y0; y < y1; y++) {
        const ptrdiff_t oy_base = (ptrdiff_t)y + pad_top;
        float *drow = din + y * w * (size_t)CIN;
        size_t x = 0;
        while (x < w) {
            const ptrdiff_t xs = (ptrdiff_t)x;
            if (xs >= first && xs + CK_BWDD_PIXELS - 1 <= last && x + CK_BWDD_PIXELS <= w) {
                CK_LOCAL(ck_bwdd_pixels)
                (CIN, CK_BWDD_PIXELS, 0, dout, ho, wo, cout, wts, kh, kw, dy, dx, oy_base, xs + pad_left,
                 drow + x * (size_t)CIN);
                x += CK_BWDD_PIXELS;
            } else {
                CK_LOCAL(ck_bwdd_pixels)
                (CIN, 1, 1, dout, ho, wo, cout, wts, kh, kw, dy, dx, oy_base, xs + pad_left,
                 drow + x * (size_t)CIN);
                x += 1;
            }
        }
    }
}

#define CK_BWDD_CASE(C)                                                                  \
    case C:                                                                              \
        CK_LOCAL(ck_bwdd_rows)                                                           \
        (C, dout, ho, wo, cout, wts, kh, kw, dy, dx, pad_top, pad_left, din, w, y0, y1); \
        break;

CK_TARGET void CK_BWDD_FEW(const float *dout, size_t ho, size_t wo, size_t cout, const float *wts, size_t kh,
                           size_t kw, size_t cin, size_t dy, size_t dx, ptrdiff_t pad_top, ptrdiff_t pad_left,
                           float *din, size_t w, size_t y0, size_t y1) {
    switch (cin) { CK_BWDD_CASE(1) CK_BWDD_CASE(2) CK_BWDD_CASE(3) CK_BWDD_CASE(4) default : break; }
}
