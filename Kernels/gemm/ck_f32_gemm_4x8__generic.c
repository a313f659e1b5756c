// f32 GEMM microkernel, 4 x 8 tile, portable: GCC/clang 128-bit vector extensions, which compile
// to SSE2 on x86-64 and NEON on arm64 with no target flags. Contract: ConvKitKernels.h.
#include "ConvKitKernels.h"
#include "../common/ck_v4f.h"

static inline __attribute__((always_inline)) void
ck_f32_gemm_rows_x8__generic(const int rows, size_t n, size_t k, const float *a, size_t a_kstride,
                             size_t a_rstride, const float *b, size_t b_kstride, float *c, size_t ldc,
                             float alpha, float beta) {
    ck_v4f acc0[4], acc1[4];
    for (int i = 0; i < rows; i++) {
        acc0[i] = (ck_v4f){ 0, 0, 0, 0 };
        acc1[i] = (ck_v4f){ 0, 0, 0, 0 };
    }
    for (size_t p = 0; p < k; p++) {
        const ck_v4f b0 = ck_load_v4f(b), b1 = ck_load_v4f(b + 4);
        for (int i = 0; i < rows; i++) {
            const float x = a[(size_t)i * a_rstride];
            const ck_v4f ai = (ck_v4f){ x, x, x, x };
            acc0[i] += ai * b0;
            acc1[i] += ai * b1;
        }
        a += a_kstride;
        b += b_kstride;
    }
    for (int i = 0; i < rows; i++) {
        float *ci = c + (size_t)i * ldc;
        ck_v4f r0 = acc0[i] * alpha, r1 = acc1[i] * alpha;
        if (n >= 8) {
            if (beta != 0.0f) {
                r0 += ck_load_v4f(ci) * beta;
                r1 += ck_load_v4f(ci + 4) * beta;
            }
            ck_store_v4f(ci, r0);
            ck_store_v4f(ci + 4, r1);
        } else {
            float tile[8];
            ck_store_v4f(tile, r0);
            ck_store_v4f(tile + 4, r1);
            for (size_t j = 0; j < n; j++) { ci[j] = beta != 0.0f ? tile[j] + ci[j] * beta : tile[j]; }
        }
    }
}

// A tile of exactly R rows: from packed A panels (CK_ROWS) or from a row-major A in place (CK_AROW).
#define CK_ROWS(R) ck_f32_gemm_rows_x8__generic(R, n, k, a, a_kstride, 1, b, b_kstride, c, ldc, alpha, beta)
#define CK_AROW(R) ck_f32_gemm_rows_x8__generic(R, n, k, a, 1, lda, b, b_kstride, c, ldc, alpha, beta)

void ck_f32_gemm_4x8__generic(size_t m, size_t n, size_t k, const float *a, size_t a_kstride, const float *b,
                              size_t b_kstride, float *c, size_t ldc, float alpha, float beta) {
    switch (m) {
    case 4: CK_ROWS(4); break;
    case 3: CK_ROWS(3); break;
    case 2: CK_ROWS(2); break;
    case 1: CK_ROWS(1); break;
    default: break;
    }
}

// A read in place from a row-major op(A) (a[i * lda + p]): the same bodies with a row stride.
void ck_f32_gemm_arow_4x8__generic(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b,
                                   size_t b_kstride, float *c, size_t ldc, float alpha, float beta) {
    switch (m) {
    case 4: CK_AROW(4); break;
    case 3: CK_AROW(3); break;
    case 2: CK_AROW(2); break;
    case 1: CK_AROW(1); break;
    default: break;
    }
}
