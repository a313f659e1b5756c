// The elementwise kernels, written once and compiled per instruction set: an including file
// defines CK_ELT_TARGET (a function attribute, may be empty) and CK_ELT_NAME(op) (the function
// name for op, e.g. ck_f32_relu__avx2). Plain loops the compiler vectorises; every output element
// is computed by the same operations in every build (the x86 SIMD builds turn off FMA contraction,
// which the baseline SSE2 build cannot do), so the bits do not depend on the ISA. Contracts:
// ConvKitKernels.h.

CK_ELT_TARGET void CK_ELT_NAME(relu)(size_t n, const float *x, float *y) {
    for (size_t i = 0; i < n; i++) y[i] = x[i] < 0.0f ? 0.0f : x[i];
}

CK_ELT_TARGET void CK_ELT_NAME(relu_backward)(size_t n, const float *y, const float *dy, float *dx) {
    for (size_t i = 0; i < n; i++) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

CK_ELT_TARGET void CK_ELT_NAME(bias_relu)(size_t m, size_t n, float *c, size_t ldc, const float *bias,
                                          int relu) {
    for (size_t i = 0; i < m; i++) {
        float *row = c + i * ldc;
        if (bias != NULL) {
            for (size_t j = 0; j < n; j++) row[j] += bias[j];
        }
        if (relu) {
            for (size_t j = 0; j < n; j++) row[j] = row[j] < 0.0f ? 0.0f : row[j];
        }
    }
}

CK_ELT_TARGET void CK_ELT_NAME(sum_rows)(size_t m, size_t n, const float *x, size_t ldx, float *out,
                                         int accumulate) {
    if (!accumulate) {
        for (size_t j = 0; j < n; j++) out[j] = 0.0f;
    }
    for (size_t i = 0; i < m; i++) {
        const float *row = x + i * ldx;
        for (size_t j = 0; j < n; j++) out[j] += row[j];
    }
}

CK_ELT_TARGET void CK_ELT_NAME(add)(size_t n, const float *restrict x, float *restrict y) {
    for (size_t i = 0; i < n; i++) y[i] += x[i];
}

CK_ELT_TARGET void CK_ELT_NAME(adam_update)(size_t n, float *restrict w, const float *restrict g,
                                            float *restrict m, float *restrict v, float alpha, float beta1,
                                            float beta2, float epsilon) {
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

CK_ELT_TARGET void CK_ELT_NAME(sgd_update)(size_t n, float *restrict w, const float *restrict g,
                                           float *restrict velocity, float learning_rate, float momentum,
                                           float weight_decay) {
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
