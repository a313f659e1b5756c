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

CK_ELT_TARGET void CK_ELT_NAME(sgd_nesterov_update)(size_t n, float *restrict w, const float *restrict g,
                                                    float *restrict velocity, float learning_rate,
                                                    float momentum, float weight_decay) {
    for (size_t i = 0; i < n; i++) {
        const float gi = g[i] + weight_decay * w[i];
        const float vi = momentum * velocity[i] - learning_rate * gi;
        velocity[i] = vi;
        w[i] += momentum * vi - learning_rate * gi;
    }
}

CK_ELT_TARGET void CK_ELT_NAME(adagrad_update)(size_t n, float *restrict w, const float *restrict g,
                                               float *restrict accumulator, float learning_rate,
                                               float epsilon) {
    for (size_t i = 0; i < n; i++) {
        const float a = accumulator[i] + g[i] * g[i];
        accumulator[i] = a;
        w[i] -= (learning_rate * g[i]) / sqrtf(a + epsilon);
    }
}

CK_ELT_TARGET void CK_ELT_NAME(rmsprop_update)(size_t n, float *restrict w, const float *restrict g,
                                               float *restrict velocity, float *restrict momentum_buffer,
                                               float *restrict average_gradient, float learning_rate,
                                               float rho, float momentum, float epsilon) {
    for (size_t i = 0; i < n; i++) {
        const float vi = rho * velocity[i] + (1.0f - rho) * (g[i] * g[i]);
        velocity[i] = vi;
        float denominator = vi + epsilon;
        if (average_gradient) {
            const float ai = rho * average_gradient[i] + (1.0f - rho) * g[i];
            average_gradient[i] = ai;
            denominator = vi - ai * ai + epsilon;
        }
        const float increment = (learning_rate * g[i]) / sqrtf(denominator);
        if (momentum_buffer) {
            const float mi = momentum * momentum_buffer[i] + increment;
            momentum_buffer[i] = mi;
            w[i] -= mi;
        } else {
            w[i] -= increment;
        }
    }
}

CK_ELT_TARGET void CK_ELT_NAME(nadam_update)(size_t n, float *restrict w, const float *restrict g,
                                             float *restrict m, float *restrict v, float learning_rate,
                                             float beta1, float beta2, float epsilon, float u_t, float u_t_1,
                                             float u_product_t, float u_product_t_1, float beta_2_power) {
    const float one_b1 = 1.0f - beta1, one_b2 = 1.0f - beta2;
    for (size_t i = 0; i < n; i++) {
        const float gi = g[i];
        const float mi = m[i] + (gi - m[i]) * one_b1;
        const float vi = v[i] + (gi * gi - v[i]) * one_b2;
        m[i] = mi;
        v[i] = vi;
        const float m_hat =
            (u_t_1 * mi) / (1.0f - u_product_t_1) + ((1.0f - u_t) * gi) / (1.0f - u_product_t);
        const float v_hat = vi / (1.0f - beta_2_power);
        w[i] -= (m_hat * learning_rate) / (sqrtf(v_hat) + epsilon);
    }
}
