// Fixed-order reduction of split-K partial products (portable C; see ConvKitKernels.h).
#include "ConvKitKernels.h"

void ck_f32_reduce_partials(size_t m, size_t n, const float *partials, size_t parts, float alpha, float beta,
                            float *c, size_t ldc) {
    const size_t plane = m * n;
    // Sum partials 1..parts-1 into a copy of partial 0, one whole row per chunk at a time so the
    // inner loop vectorises; every element still sums its chunks in ascending order.
    enum { CK_REDUCE_ROW = 1024 };
    float sum[CK_REDUCE_ROW];
    for (size_t i = 0; i < m; i++) {
        float *ci = c + i * ldc;
        for (size_t j0 = 0; j0 < n; j0 += CK_REDUCE_ROW) {
            const size_t width = n - j0 < CK_REDUCE_ROW ? n - j0 : CK_REDUCE_ROW;
            const float *first = partials + i * n + j0;
            for (size_t j = 0; j < width; j++) sum[j] = first[j];
            for (size_t s = 1; s < parts; s++) {
                const float *part = first + s * plane;
                for (size_t j = 0; j < width; j++) sum[j] += part[j];
            }
            if (beta == 0.0f) {
                for (size_t j = 0; j < width; j++) ci[j0 + j] = alpha * sum[j];
            } else {
                for (size_t j = 0; j < width; j++) ci[j0 + j] = alpha * sum[j] + beta * ci[j0 + j];
            }
        }
    }
}
