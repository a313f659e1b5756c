// ReLU and softmax cross-entropy (portable C). Contracts: ConvKitKernels.h.
#include <math.h>
#include "ConvKitKernels.h"

void ck_f32_relu(size_t n, const float *x, float *y) {
    for (size_t i = 0; i < n; i++) y[i] = x[i] < 0.0f ? 0.0f : x[i];
}

void ck_f32_relu_backward(size_t n, const float *y, const float *dy, float *dx) {
    for (size_t i = 0; i < n; i++) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

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

void ck_f32_adam_update(size_t n, float *restrict w, const float *restrict g, float *restrict m,
                        float *restrict v, float alpha, float beta1, float beta2, float epsilon) {
    const float one_b1 = 1.0f - beta1, one_b2 = 1.0f - beta2;
    for (size_t i = 0; i < n; i++) {
        const float gi = g[i];
        const float mi = m[i] + (gi - m[i]) * one_b1;
        const float vi = v[i] + (gi * gi - v[i]) * one_b2;
        m[i] = mi;
        v[i] = vi;
        w[i] -= (mi * alpha) / (sqrtf(vi) + epsilon);
    }
}

void ck_f32_sgd_update(size_t n, float *restrict w, const float *restrict g, float *restrict velocity,
                       float learning_rate, float momentum, float weight_decay) {
    for (size_t i = 0; i < n; i++) {
        const float gi = g[i] + weight_decay * w[i];
        if (velocity) {
            const float vi = momentum * velocity[i] - learning_rate * gi;
            velocity[i] = vi;
            w[i] += vi;
        } else {
            w[i] -= learning_rate * gi;
        }
    }
}

void ck_f32_add(size_t n, const float *restrict x, float *restrict y) {
    for (size_t i = 0; i < n; i++) y[i] += x[i];
}
