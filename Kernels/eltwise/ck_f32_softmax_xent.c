// Softmax cross-entropy from logits (portable C, log-sum-exp in double). Contracts: ConvKitKernels.h.
#include <math.h>
#include "ConvKitKernels.h"

void ck_f32_softmax_xent(size_t rows, size_t classes, const float *logits, const int32_t *labels, float scale,
                         float *loss, float *dlogits) {
    for (size_t r = 0; r < rows; r++) {
        const float *z = logits + r * classes;
        float m = z[0];
        for (size_t j = 1; j < classes; j++) m = z[j] > m ? z[j] : m;
        double sum = 0.0;
        for (size_t j = 0; j < classes; j++) sum += exp((double)(z[j] - m));
        const double lse = (double)m + log(sum);
        loss[r] = (float)(lse - (double)z[labels[r]]);
        if (dlogits) {
            float *d = dlogits + r * classes;
            for (size_t j = 0; j < classes; j++) {
                const double p = exp((double)z[j] - lse);
                d[j] = (float)((p - (j == (size_t)labels[r] ? 1.0 : 0.0)) * (double)scale);
            }
        }
    }
}
