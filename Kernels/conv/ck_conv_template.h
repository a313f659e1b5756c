// Direct-convolution microkernels, written once with GCC/clang vector extensions and compiled per
// instruction set by the files that include this header (f32_conv_*__avx512.c, __avx2.c,
// __vec128.c). Private to ConvKitKernels; the contracts are in ConvKitKernels.h.
//
// An including file defines, before #include:
//   CK_V       the vector type (vector_size of CK_VW floats)
//   CK_VW      floats per vector; a tile is CK_NR = 2 * CK_VW columns wide
//   CK_MR      rows per tile (CK_MR x 2 accumulators must fit the register file)
//   CK_TARGET  the function attribute that selects the instruction set (may be empty)
//   CK_FWD     the name of the implicit-GEMM kernel (ck_f32_conv_fwd_ukernel_fn)
//   CK_BWDW    the name of the weight-gradient kernel (ck_f32_conv_bwdw_ukernel_fn)
#include <string.h>
#include <stddef.h>
#include "ConvKitKernels.h"

#define CK_NR (2 * CK_VW)
#define CK_CAT2(a, b) a##b
#define CK_CAT(a, b) CK_CAT2(a, b)
#define CK_LOCAL(name) CK_CAT(name, CK_CAT(_, CK_FWD))

typedef int CK_LOCAL(ck_vi) __attribute__((vector_size(CK_VW * 4)));

// max(v, 0) that keeps NaN (a NaN input stays NaN, as in TensorFlow and PyTorch).
static inline __attribute__((always_inline)) CK_TARGET CK_V CK_LOCAL(ck_relu)(CK_V v) {
    const CK_V zero = {0};
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

// Stores rows x n of the accumulators into C: C := acc (+ C when accumulate) (+ bias), then
// max(., 0) when relu. Columns j >= n are neither read nor written.
static inline __attribute__((always_inline)) CK_TARGET void
CK_LOCAL(ck_epilogue)(const int rows, size_t n, const CK_V *acc0, const CK_V *acc1, float *c,
                      size_t ldc, const float *bias, int accumulate, int relu) {
    const CK_V zero = {0};
    CK_V b0 = zero, b1 = zero;
    if (bias != NULL) {
        if (n >= CK_NR) {
            b0 = CK_LOCAL(ck_load)(bias);
            b1 = CK_LOCAL(ck_load)(bias + CK_VW);
        } else {
            float tmp[CK_NR] = {0};
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
    }
}

static inline __attribute__((always_inline)) CK_TARGET void
CK_LOCAL(ck_fwd_rows)(const int rows, size_t n, size_t nseg, size_t seg_len,
                      const ptrdiff_t *seg_off, const float *const *row_ptr, const float *w,
                      float *c, size_t ldc, const float *bias, int relu) {
    const CK_V zero = {0};
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

static inline __attribute__((always_inline)) CK_TARGET void
CK_LOCAL(ck_bwdw_rows)(const int rows, size_t n, size_t nrows, size_t ncols, const float *a,
                       ptrdiff_t a_row_stride, ptrdiff_t a_col_stride, const ptrdiff_t *koff,
                       const float *g, size_t g_row_stride, size_t g_col_stride, float *c,
                       size_t ldc, int accumulate) {
    const CK_V zero = {0};
    CK_V acc0[CK_MR], acc1[CK_MR];
    const float *ak[CK_MR];
#pragma clang loop unroll(full)
    for (int i = 0; i < rows; i++) {
        acc0[i] = zero;
        acc1[i] = zero;
        ak[i] = a + koff[i];
    }
    for (size_t y = 0; y < nrows; y++) {
        const float *gy = g + y * g_row_stride;
        const ptrdiff_t ay = (ptrdiff_t)y * a_row_stride;
        for (size_t x = 0; x < ncols; x++) {
            const float *gp = gy + x * g_col_stride;
            CK_V g0, g1;
            if (n >= CK_NR) {
                g0 = CK_LOCAL(ck_load)(gp);
                g1 = CK_LOCAL(ck_load)(gp + CK_VW);
            } else {
                float tmp[CK_NR] = {0};
                memcpy(tmp, gp, n * sizeof(float));
                g0 = CK_LOCAL(ck_load)(tmp);
                g1 = CK_LOCAL(ck_load)(tmp + CK_VW);
            }
            const ptrdiff_t off = ay + (ptrdiff_t)x * a_col_stride;
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

#define CK_FWD_CASE(R) \
    case R: CK_LOCAL(ck_fwd_rows)(R, n, nseg, seg_len, seg_off, row_ptr, w, c, ldc, bias, relu); break;
#define CK_BWDW_CASE(R)                                                                           \
    case R: CK_LOCAL(ck_bwdw_rows)(R, n, nrows, ncols, a, a_row_stride, a_col_stride, koff, g,     \
                                   g_row_stride, g_col_stride, c, ldc, accumulate); break;

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
