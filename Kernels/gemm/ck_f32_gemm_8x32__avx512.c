// ck_f32_gemm_8x32__avx512: the AVX-512 tile for row counts that 8 divides much better than 14
// (such as the 32 output channels of a CNN layer), 16 zmm accumulators, and its row-major-A
// variant. Contract: ConvKitKernels.h. Same bodies as the 14-row tile, so the same bits.
#include "ck_f32_gemm_x32__avx512.h"
#if defined(__x86_64__)

CK_TARGET_AVX512 void ck_f32_gemm_8x32__avx512(size_t m, size_t n, size_t k, const float *a,
                                               size_t a_kstride, const float *b, size_t b_kstride,
                                               float *c, size_t ldc, float alpha, float beta) {
    switch (m) {
        CK_ROWS_CASE(8) CK_ROWS_CASE(7) CK_ROWS_CASE(6) CK_ROWS_CASE(5)
        CK_ROWS_CASE(4) CK_ROWS_CASE(3) CK_ROWS_CASE(2) CK_ROWS_CASE(1)
        default: break;
    }
}

// A read in place from a row-major op(A) (a[i * lda + p]): the same bodies with a row stride,
// eight rows at most (fourteen row addresses do not fit in the general registers beside the
// loop's other pointers).
CK_TARGET_AVX512 void ck_f32_gemm_arow_8x32__avx512(size_t m, size_t n, size_t k, const float *a, size_t lda,
                                                    const float *b, size_t b_kstride, float *c, size_t ldc,
                                                    float alpha, float beta) {
    switch (m) {
        CK_AROW_CASE(8) CK_AROW_CASE(7) CK_AROW_CASE(6) CK_AROW_CASE(5)
        CK_AROW_CASE(4) CK_AROW_CASE(3) CK_AROW_CASE(2) CK_AROW_CASE(1)
        default: break;
    }
}
#endif
