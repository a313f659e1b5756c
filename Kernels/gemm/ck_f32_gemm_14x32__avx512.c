// ck_f32_gemm_14x32__avx512: the primary AVX-512 GEMM tile, 14 x 32 (28 zmm accumulators,
// 2 zmm of B, 1 broadcast). Contract: ConvKitKernels.h. The row count m is dispatched to a body
// compiled for exactly m rows.
#include "ck_f32_gemm_x32__avx512.h"
#if defined(__x86_64__)

CK_TARGET_AVX512 void ck_f32_gemm_14x32__avx512(size_t m, size_t n, size_t k, const float *a,
                                                size_t a_kstride, const float *b, size_t b_kstride,
                                                float *c, size_t ldc, float alpha, float beta) {
    switch (m) {
        CK_ROWS_CASE(14) CK_ROWS_CASE(13) CK_ROWS_CASE(12) CK_ROWS_CASE(11) CK_ROWS_CASE(10)
        CK_ROWS_CASE(9) CK_ROWS_CASE(8) CK_ROWS_CASE(7) CK_ROWS_CASE(6) CK_ROWS_CASE(5)
        CK_ROWS_CASE(4) CK_ROWS_CASE(3) CK_ROWS_CASE(2) CK_ROWS_CASE(1)
        default: break;
    }
}
#endif
