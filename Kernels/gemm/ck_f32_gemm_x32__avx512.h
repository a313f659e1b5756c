// The body shared by the AVX-512 GEMM tiles with 32 columns (ck_f32_gemm_14x32__avx512,
// ck_f32_gemm_8x32__avx512 and its row-major-A variant): a tile of `rows` rows (a compile-time
// constant at each use) x 32 columns, in 2 zmm per row; the column count n only masks the stores
// (B panels hold 32 columns). Each C element is the same chain of FMAs whatever the tile's height,
// so the tiles give the same bits. Private to ConvKitKernels; included by each kernel file.
#ifndef CK_F32_GEMM_X32__AVX512_H
#define CK_F32_GEMM_X32__AVX512_H
#if defined(__x86_64__)
#include <immintrin.h>
#include "ConvKitKernels.h"
#include "../common/ck_target.h"

#define CK_PREFETCH_K 8

static inline __attribute__((always_inline)) CK_TARGET_AVX512 void
ck_f32_gemm_rows_x32__avx512(const int rows, size_t n, size_t k, const float *a, size_t a_kstride,
                             size_t a_rstride, const float *b, size_t b_kstride, float *c, size_t ldc,
                             float alpha, float beta) {
    __m512 acc0[14], acc1[14];
#pragma clang loop unroll(full)
    for (int i = 0; i < rows; i++) {
        // Start fetching the C tile now: its loads and stores come after the k loop.
        _mm_prefetch((const char *)(c + (size_t)i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + (size_t)i * ldc + 16), _MM_HINT_T0);
        acc0[i] = _mm512_setzero_ps();
        acc1[i] = _mm512_setzero_ps();
    }
    for (size_t p = 0; p < k; p++) {
        // B and A lines CK_PREFETCH_K steps ahead (harmless hits when the panels are in L1).
        _mm_prefetch((const char *)(b + CK_PREFETCH_K * b_kstride), _MM_HINT_T0);
        _mm_prefetch((const char *)(b + CK_PREFETCH_K * b_kstride + 16), _MM_HINT_T0);
        _mm_prefetch((const char *)(a + CK_PREFETCH_K * a_kstride), _MM_HINT_T0);
        const __m512 b0 = _mm512_loadu_ps(b);
        const __m512 b1 = _mm512_loadu_ps(b + 16);
#pragma clang loop unroll(full)
        for (int i = 0; i < rows; i++) {
            const __m512 ai = _mm512_set1_ps(a[(size_t)i * a_rstride]);
            acc0[i] = _mm512_fmadd_ps(ai, b0, acc0[i]);
            acc1[i] = _mm512_fmadd_ps(ai, b1, acc1[i]);
        }
        a += a_kstride;
        b += b_kstride;
    }
    const __mmask16 mask0 = n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1u);
    const __mmask16 mask1 = n >= 32  ? (__mmask16)0xFFFF
                            : n > 16 ? (__mmask16)((1u << (n - 16)) - 1u)
                                     : (__mmask16)0;
    const __m512 valpha = _mm512_set1_ps(alpha);
    if (beta == 0.0f) {
#pragma clang loop unroll(full)
        for (int i = 0; i < rows; i++) {
            float *ci = c + (size_t)i * ldc;
            _mm512_mask_storeu_ps(ci, mask0, _mm512_mul_ps(acc0[i], valpha));
            _mm512_mask_storeu_ps(ci + 16, mask1, _mm512_mul_ps(acc1[i], valpha));
        }
    } else {
        const __m512 vbeta = _mm512_set1_ps(beta);
#pragma clang loop unroll(full)
        for (int i = 0; i < rows; i++) {
            float *ci = c + (size_t)i * ldc;
            const __m512 old0 = _mm512_maskz_loadu_ps(mask0, ci);
            const __m512 old1 = _mm512_maskz_loadu_ps(mask1, ci + 16);
            _mm512_mask_storeu_ps(ci, mask0, _mm512_fmadd_ps(acc0[i], valpha, _mm512_mul_ps(old0, vbeta)));
            _mm512_mask_storeu_ps(ci + 16, mask1,
                                  _mm512_fmadd_ps(acc1[i], valpha, _mm512_mul_ps(old1, vbeta)));
        }
    }
}

// A tile of exactly R rows: from packed A panels (CK_ROWS) or from a row-major A in place (CK_AROW).
#define CK_ROWS(R) ck_f32_gemm_rows_x32__avx512(R, n, k, a, a_kstride, 1, b, b_kstride, c, ldc, alpha, beta)
#define CK_AROW(R) ck_f32_gemm_rows_x32__avx512(R, n, k, a, 1, lda, b, b_kstride, c, ldc, alpha, beta)
#endif
#endif
