// f32 GEMM microkernel, 6 x 16 tile, AVX2 + FMA (12 ymm accumulators, 2 ymm of B, 1 broadcast).
// Contract: ConvKitKernels.h. The row count m is dispatched to a body compiled for exactly m
// rows; the column count n masks loads and stores of C.
#if defined(__x86_64__)
#include <immintrin.h>
#include "ConvKitKernels.h"

#include "../common/ck_target.h"
#define CK_PREFETCH_K 8

static inline __attribute__((always_inline)) CK_TARGET_AVX2 __m256i ck_column_mask__avx2(size_t first,
                                                                                         size_t n) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const int limit = n > first ? (int)(n - first) : 0;
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(limit), lane);
}

static inline __attribute__((always_inline)) CK_TARGET_AVX2 void
ck_f32_gemm_rows_x16__avx2(const int rows, size_t n, size_t k, const float *a, size_t a_kstride,
                           size_t a_rstride, const float *b, size_t b_kstride, float *c, size_t ldc,
                           float alpha, float beta) {
    __m256 acc0[6], acc1[6];
#pragma clang loop unroll(full)
    for (int i = 0; i < rows; i++) {
        _mm_prefetch((const char *)(c + (size_t)i * ldc), _MM_HINT_T0);
        acc0[i] = _mm256_setzero_ps();
        acc1[i] = _mm256_setzero_ps();
    }
    for (size_t p = 0; p < k; p++) {
        _mm_prefetch((const char *)(b + CK_PREFETCH_K * b_kstride), _MM_HINT_T0);
        _mm_prefetch((const char *)(a + CK_PREFETCH_K * a_kstride), _MM_HINT_T0);
        const __m256 b0 = _mm256_loadu_ps(b);
        const __m256 b1 = _mm256_loadu_ps(b + 8);
#pragma clang loop unroll(full)
        for (int i = 0; i < rows; i++) {
            const __m256 ai = _mm256_broadcast_ss(a + (size_t)i * a_rstride);
            acc0[i] = _mm256_fmadd_ps(ai, b0, acc0[i]);
            acc1[i] = _mm256_fmadd_ps(ai, b1, acc1[i]);
        }
        a += a_kstride;
        b += b_kstride;
    }
    const __m256 valpha = _mm256_set1_ps(alpha);
    const __m256 vbeta = _mm256_set1_ps(beta);
    if (n >= 16) {
#pragma clang loop unroll(full)
        for (int i = 0; i < rows; i++) {
            float *ci = c + (size_t)i * ldc;
            __m256 r0 = _mm256_mul_ps(acc0[i], valpha), r1 = _mm256_mul_ps(acc1[i], valpha);
            if (beta != 0.0f) {
                r0 = _mm256_fmadd_ps(acc0[i], valpha, _mm256_mul_ps(_mm256_loadu_ps(ci), vbeta));
                r1 = _mm256_fmadd_ps(acc1[i], valpha, _mm256_mul_ps(_mm256_loadu_ps(ci + 8), vbeta));
            }
            _mm256_storeu_ps(ci, r0);
            _mm256_storeu_ps(ci + 8, r1);
        }
    } else {
        const __m256i mask0 = ck_column_mask__avx2(0, n), mask1 = ck_column_mask__avx2(8, n);
#pragma clang loop unroll(full)
        for (int i = 0; i < rows; i++) {
            float *ci = c + (size_t)i * ldc;
            __m256 r0 = _mm256_mul_ps(acc0[i], valpha), r1 = _mm256_mul_ps(acc1[i], valpha);
            if (beta != 0.0f) {
                r0 = _mm256_fmadd_ps(acc0[i], valpha, _mm256_mul_ps(_mm256_maskload_ps(ci, mask0), vbeta));
                r1 =
                    _mm256_fmadd_ps(acc1[i], valpha, _mm256_mul_ps(_mm256_maskload_ps(ci + 8, mask1), vbeta));
            }
            _mm256_maskstore_ps(ci, mask0, r0);
            _mm256_maskstore_ps(ci + 8, mask1, r1);
        }
    }
}

// A tile of exactly R rows: from packed A panels (CK_ROWS) or from a row-major A in place (CK_AROW).
#define CK_ROWS(R) ck_f32_gemm_rows_x16__avx2(R, n, k, a, a_kstride, 1, b, b_kstride, c, ldc, alpha, beta)
#define CK_AROW(R) ck_f32_gemm_rows_x16__avx2(R, n, k, a, 1, lda, b, b_kstride, c, ldc, alpha, beta)

CK_TARGET_AVX2 void ck_f32_gemm_6x16__avx2(size_t m, size_t n, size_t k, const float *a, size_t a_kstride,
                                           const float *b, size_t b_kstride, float *c, size_t ldc,
                                           float alpha, float beta) {
    switch (m) {
    case 6: CK_ROWS(6); break;
    case 5: CK_ROWS(5); break;
    case 4: CK_ROWS(4); break;
    case 3: CK_ROWS(3); break;
    case 2: CK_ROWS(2); break;
    case 1: CK_ROWS(1); break;
    default: break;
    }
}

// A read in place from a row-major op(A) (a[i * lda + p]): the same bodies with a row stride.
CK_TARGET_AVX2 void ck_f32_gemm_arow_6x16__avx2(size_t m, size_t n, size_t k, const float *a, size_t lda,
                                                const float *b, size_t b_kstride, float *c, size_t ldc,
                                                float alpha, float beta) {
    switch (m) {
    case 6: CK_AROW(6); break;
    case 5: CK_AROW(5); break;
    case 4: CK_AROW(4); break;
    case 3: CK_AROW(3); break;
    case 2: CK_AROW(2); break;
    case 1: CK_AROW(1); break;
    default: break;
    }
}
#endif
