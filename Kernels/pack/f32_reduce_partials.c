// Fixed-order reduction of split-K partial products (portable C; see ConvKitKernels.h).
#include "ConvKitKernels.h"

void ck_f32_reduce_partials(size_t m, size_t n, const float *partials, size_t parts, float alpha,
                            float beta, float *c, size_t ldc) {
    const size_t plane = m * n;
    for (size_t i = 0; i < m; i++) {
        float *ci = c + i * ldc;
        const float *first = partials + i * n;
        for (size_t j = 0; j < n; j++) {
            float sum = first[j];
            for (size_t s = 1; s < parts; s++) sum += first[s * plane + j];
            ci[j] = beta == 0.0f ? alpha * sum : alpha * sum + beta * ci[j];
        }
    }
}
