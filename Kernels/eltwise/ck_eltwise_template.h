// The elementwise kernels, written once and compiled per instruction set: an including file
// defines CK_ELT_TARGET (a function attribute, may be empty) and CK_ELT_NAME(op) (the function
// name for op, e.g. ck_f32_relu__avx2). Plain loops the compiler vectorises; every output element
// is computed by the same operations in every build (the x86 SIMD builds turn off FMA contraction,
// which the baseline SSE2 build cannot do), so the bits do not depend on the ISA. Contracts:
// ConvKitKernels.h.

#include "../common/ck_math.h"

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
    // Two loops rather than a test per element: no masked loads or stores of a NULL velocity.
    if (velocity) {
        for (size_t i = 0; i < n; i++) {
            const float gi = g[i] + weight_decay * w[i];
            const float vi = momentum * velocity[i] - learning_rate * gi;
            velocity[i] = vi;
            w[i] += vi;
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            const float gi = g[i] + weight_decay * w[i];
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

// The RMSprop loop for one combination of options (constants after inlining, so each of the four
// copies has plain loads and stores).
CK_ELT_TARGET static inline __attribute__((always_inline)) void
CK_ELT_NAME(rmsprop_loop)(size_t n, float *restrict w, const float *restrict g, float *restrict velocity,
                          float *restrict momentum_buffer, float *restrict average_gradient,
                          float learning_rate, float rho, float momentum, float epsilon, const int centered,
                          const int with_momentum) {
    for (size_t i = 0; i < n; i++) {
        const float vi = rho * velocity[i] + (1.0f - rho) * (g[i] * g[i]);
        velocity[i] = vi;
        float denominator = vi + epsilon;
        if (centered) {
            const float ai = rho * average_gradient[i] + (1.0f - rho) * g[i];
            average_gradient[i] = ai;
            denominator = vi - ai * ai + epsilon;
        }
        const float increment = (learning_rate * g[i]) / sqrtf(denominator);
        if (with_momentum) {
            const float mi = momentum * momentum_buffer[i] + increment;
            momentum_buffer[i] = mi;
            w[i] -= mi;
        } else {
            w[i] -= increment;
        }
    }
}

CK_ELT_TARGET void CK_ELT_NAME(rmsprop_update)(size_t n, float *restrict w, const float *restrict g,
                                               float *restrict velocity, float *restrict momentum_buffer,
                                               float *restrict average_gradient, float learning_rate,
                                               float rho, float momentum, float epsilon) {
    if (average_gradient && momentum_buffer) {
        CK_ELT_NAME(rmsprop_loop)
        (n, w, g, velocity, momentum_buffer, average_gradient, learning_rate, rho, momentum, epsilon, 1, 1);
    } else if (average_gradient) {
        CK_ELT_NAME(rmsprop_loop)
        (n, w, g, velocity, momentum_buffer, average_gradient, learning_rate, rho, momentum, epsilon, 1, 0);
    } else if (momentum_buffer) {
        CK_ELT_NAME(rmsprop_loop)
        (n, w, g, velocity, momentum_buffer, average_gradient, learning_rate, rho, momentum, epsilon, 0, 1);
    } else {
        CK_ELT_NAME(rmsprop_loop)
        (n, w, g, velocity, momentum_buffer, average_gradient, learning_rate, rho, momentum, epsilon, 0, 0);
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

// ---------------------------------------------------------------------------------------------
// Activations (kinds: CK_ACTIVATION_*, ConvKitKernels.h). Each elementwise kind is one loop of
// selects the compiler vectorises; softmax works row by row.

CK_ELT_TARGET static void CK_ELT_NAME(softmax_row)(size_t n, const float *x, float *y) {
    float m = x[0];
    for (size_t j = 1; j < n; j++) m = x[j] > m ? x[j] : m;
    for (size_t j = 0; j < n; j++) y[j] = ck_expf(x[j] - m);
    float sum = 0.0f;
    for (size_t j = 0; j < n; j++) sum += y[j];
    for (size_t j = 0; j < n; j++) y[j] = y[j] / sum;
}

CK_ELT_TARGET void CK_ELT_NAME(activation)(int kind, size_t rows, size_t n, const float *x, float *y,
                                           float alpha) {
    const size_t count = rows * n;
    switch (kind) {
    case CK_ACTIVATION_RELU:
        for (size_t i = 0; i < count; i++) y[i] = x[i] < 0.0f ? 0.0f : x[i];
        break;
    case CK_ACTIVATION_SIGMOID:
        for (size_t i = 0; i < count; i++) y[i] = ck_sigmoidf(x[i]);
        break;
    case CK_ACTIVATION_TANH:
        for (size_t i = 0; i < count; i++) y[i] = ck_tanhf(x[i]);
        break;
    case CK_ACTIVATION_LEAKY_RELU:
        for (size_t i = 0; i < count; i++) y[i] = ck_leaky_reluf(x[i], alpha);
        break;
    case CK_ACTIVATION_ELU:
        for (size_t i = 0; i < count; i++) y[i] = ck_eluf(x[i], alpha);
        break;
    case CK_ACTIVATION_SOFTPLUS:
        for (size_t i = 0; i < count; i++) y[i] = ck_softplusf(x[i]);
        break;
    case CK_ACTIVATION_SOFTMAX:
        for (size_t r = 0; r < rows; r++) CK_ELT_NAME(softmax_row)(n, x + r * n, y + r * n);
        break;
    default:
        if (x != y) {
            for (size_t i = 0; i < count; i++) y[i] = x[i];
        }
        break;
    }
}

CK_ELT_TARGET void CK_ELT_NAME(activation_backward)(int kind, size_t rows, size_t n, const float *y,
                                                    const float *dy, float *dx, float alpha) {
    const size_t count = rows * n;
    switch (kind) {
    case CK_ACTIVATION_RELU:
        for (size_t i = 0; i < count; i++) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
        break;
    case CK_ACTIVATION_SIGMOID:
        for (size_t i = 0; i < count; i++) dx[i] = dy[i] * (y[i] * (1.0f - y[i]));
        break;
    case CK_ACTIVATION_TANH:
        for (size_t i = 0; i < count; i++) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
        break;
    case CK_ACTIVATION_LEAKY_RELU:
        for (size_t i = 0; i < count; i++) dx[i] = y[i] > 0.0f ? dy[i] : alpha * dy[i];
        break;
    case CK_ACTIVATION_ELU:
        for (size_t i = 0; i < count; i++) dx[i] = y[i] > 0.0f ? dy[i] : dy[i] * (y[i] + alpha);
        break;
    case CK_ACTIVATION_SOFTPLUS:
        for (size_t i = 0; i < count; i++) dx[i] = dy[i] * -ck_expm1f(-y[i]);
        break;
    case CK_ACTIVATION_SOFTMAX:
        for (size_t r = 0; r < rows; r++) {
            const float *yr = y + r * n, *dyr = dy + r * n;
            float *dxr = dx + r * n;
            float s = 0.0f;
            for (size_t j = 0; j < n; j++) s += dyr[j] * yr[j];
            for (size_t j = 0; j < n; j++) dxr[j] = yr[j] * (dyr[j] - s);
        }
        break;
    default:
        if (dy != dx) {
            for (size_t i = 0; i < count; i++) dx[i] = dy[i];
        }
        break;
    }
}

CK_ELT_TARGET void CK_ELT_NAME(bias_activation)(size_t m, size_t n, float *c, size_t ldc, const float *bias,
                                                int kind, float alpha) {
    for (size_t i = 0; i < m; i++) {
        float *row = c + i * ldc;
        if (bias != NULL) {
            for (size_t j = 0; j < n; j++) row[j] += bias[j];
        }
        if (kind != CK_ACTIVATION_NONE) CK_ELT_NAME(activation)(kind, 1, n, row, row, alpha);
    }
}

// ---------------------------------------------------------------------------------------------
// Batch normalization over NHWC rows (per channel j of c), statistics in double.

// Rows are summed in float over blocks of CK_MOMENT_ROWS rows (vectorised across channels, in
// registers), and the blocks' sums added in double: the same order in every build.
#ifndef CK_MOMENT_ROWS
#define CK_MOMENT_ROWS     16
#define CK_MOMENT_CHANNELS 64
#endif

CK_ELT_TARGET void CK_ELT_NAME(channel_moments)(size_t rows, size_t c, const float *x, const float *shift,
                                                double *sum, double *sum_squares) {
    for (size_t j0 = 0; j0 < c; j0 += CK_MOMENT_CHANNELS) {
        const size_t jn = c - j0 < CK_MOMENT_CHANNELS ? c - j0 : CK_MOMENT_CHANNELS;
        for (size_t i0 = 0; i0 < rows; i0 += CK_MOMENT_ROWS) {
            const size_t in = rows - i0 < CK_MOMENT_ROWS ? rows - i0 : CK_MOMENT_ROWS;
            float s[CK_MOMENT_CHANNELS] = { 0 }, q[CK_MOMENT_CHANNELS] = { 0 };
            for (size_t i = 0; i < in; i++) {
                const float *row = x + (i0 + i) * c + j0;
                for (size_t j = 0; j < jn; j++) {
                    const float v = row[j] - shift[j0 + j];
                    s[j] += v;
                    q[j] += v * v;
                }
            }
            for (size_t j = 0; j < jn; j++) {
                sum[j0 + j] += (double)s[j];
                sum_squares[j0 + j] += (double)q[j];
            }
        }
    }
}

CK_ELT_TARGET void CK_ELT_NAME(scale_shift)(size_t rows, size_t c, const float *x, float *y,
                                            const float *scale, const float *shift) {
    for (size_t i = 0; i < rows; i++) {
        const float *xr = x + i * c;
        float *yr = y + i * c;
        for (size_t j = 0; j < c; j++) yr[j] = xr[j] * scale[j] + shift[j];
    }
}

CK_ELT_TARGET void CK_ELT_NAME(batchnorm_backward_sums)(size_t rows, size_t c, const float *x,
                                                        const float *dy, const float *mean, double *sum_dy,
                                                        double *sum_dy_centered) {
    for (size_t j0 = 0; j0 < c; j0 += CK_MOMENT_CHANNELS) {
        const size_t jn = c - j0 < CK_MOMENT_CHANNELS ? c - j0 : CK_MOMENT_CHANNELS;
        for (size_t i0 = 0; i0 < rows; i0 += CK_MOMENT_ROWS) {
            const size_t in = rows - i0 < CK_MOMENT_ROWS ? rows - i0 : CK_MOMENT_ROWS;
            float s[CK_MOMENT_CHANNELS] = { 0 }, p[CK_MOMENT_CHANNELS] = { 0 };
            for (size_t i = 0; i < in; i++) {
                const float *xr = x + (i0 + i) * c + j0, *dyr = dy + (i0 + i) * c + j0;
                for (size_t j = 0; j < jn; j++) {
                    s[j] += dyr[j];
                    p[j] += dyr[j] * (xr[j] - mean[j0 + j]);
                }
            }
            for (size_t j = 0; j < jn; j++) {
                sum_dy[j0 + j] += (double)s[j];
                sum_dy_centered[j0 + j] += (double)p[j];
            }
        }
    }
}

CK_ELT_TARGET void CK_ELT_NAME(batchnorm_backward_data)(size_t rows, size_t c, const float *x,
                                                        const float *dy, float *dx, const float *mean,
                                                        const float *inverse_std, const float *gain,
                                                        const float *mean_dy, const float *mean_dy_xhat) {
    for (size_t i = 0; i < rows; i++) {
        const float *xr = x + i * c, *dyr = dy + i * c;
        float *dxr = dx + i * c;
        for (size_t j = 0; j < c; j++) {
            const float xhat = (xr[j] - mean[j]) * inverse_std[j];
            dxr[j] = gain[j] * ((dyr[j] - mean_dy[j]) - xhat * mean_dy_xhat[j]);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reductions and updates for regularizers and gradient clipping. Sums run in 8 fixed lanes of
// doubles combined in lane order, so they vectorise and give the same bits in every build.

CK_ELT_TARGET void CK_ELT_NAME(abs_and_square_sums)(size_t n, const float *x, double *sum_abs,
                                                    double *sum_squares) {
    double a[8] = { 0 }, s[8] = { 0 };
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        for (size_t l = 0; l < 8; l++) {
            const double v = (double)x[i + l];
            a[l] += fabs(v);
            s[l] += v * v;
        }
    }
    for (size_t l = 0; i + l < n; l++) {
        const double v = (double)x[i + l];
        a[l] += fabs(v);
        s[l] += v * v;
    }
    double ta = 0.0, ts = 0.0;
    for (size_t l = 0; l < 8; l++) {
        ta += a[l];
        ts += s[l];
    }
    *sum_abs = ta;
    *sum_squares = ts;
}

CK_ELT_TARGET void CK_ELT_NAME(regularizer_gradient)(size_t n, const float *restrict w, float *restrict g,
                                                     float l1, float l2) {
    const float two_l2 = 2.0f * l2;
    for (size_t i = 0; i < n; i++) {
        const float sign = w[i] > 0.0f ? 1.0f : (w[i] < 0.0f ? -1.0f : 0.0f);
        g[i] = g[i] + (l1 * sign + two_l2 * w[i]);
    }
}

CK_ELT_TARGET void CK_ELT_NAME(scale_clip)(size_t n, float *x, float scale, float limit) {
    for (size_t i = 0; i < n; i++) {
        float v = x[i] * scale;
        v = v > limit ? limit : v;
        v = v < -limit ? -limit : v;
        x[i] = v;
    }
}
