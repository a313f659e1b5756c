// ck_f32_gemm_14x32__avx512: the primary AVX-512 GEMM tile, 14 x 32 (28 zmm accumulators,
// 2 zmm of B, 1 broadcast). Contract: ConvKitKernels.h. The row count m is dispatched to a body
// compiled for exactly m rows.
#include "ck_f32_gemm_x32__avx512.h"
#if defined(__x86_64__)

CK_TARGET_AVX512 void ck_f32_gemm_14x32__avx512(size_t m, size_t n, size_t k, const float *a,
                                                size_t a_kstride, const float *b, size_t b_kstride, float *c,
                                                size_t ldc, float alpha, float beta) {
    switch (m) {
    case 14: CK_ROWS(14); break;
    case 13: CK_ROWS(13); break;
    case 12: CK_ROWS(12); break;
    case 11: CK_ROWS(11); break;
    case 10: CK_ROWS(10); break;
    case 9: CK_ROWS(9); break;
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
#endif
