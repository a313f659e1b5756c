// ck_f32_gemm_8x32__avx512: the AVX-512 tile for row counts that 8 divides much better than 14
// (such as the 32 output channels of a CNN layer), 16 zmm accumulators, and its row-major-A
// variant. Contract: ConvKitKernels.h. Same bodies as the 14-row tile, so the same bits.
#include "ck_f32_gemm_x32__avx512.h"
#if defined(__x86_64__)

CK_TARGET_AVX512 void ck_f32_gemm_8x32__avx512(size_t m, size_t n, size_t k, const float *a, size_t a_kstride,
                                               const float *b, size_t b_kstride, float *c, size_t ldc,
                                               float alpha, float beta) {
    switch (m) {
    case 8: CK_ROWS(8); break;
    case 7: CK_ROWS(7); break;
    case 6: CK_ROWS(6); break;
    case 5: CK_ROWS(5); break;
    case 4: CK_ROWS(4); break;
    case 3: CK_ROWS(3); break;
    case 2: CK_ROWS(2); break;
    case 1: CK_ROWS(1); break;
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
    case 8: CK_AROW(8); break;
    case 7: CK_AROW(7); break;
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
