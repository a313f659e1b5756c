// Float exp, expm1 and log1p for the activation kernels: branch-free (selects only), so that a
// loop of them vectorises, and built from + - * / and bit operations only, so that every
// instruction-set build computes the same bits (the including files turn off FMA contraction).
//
// Error bounds of the activations built on them, against double-precision definitions over
// every 4099th float bit pattern and the special values, in units of the last place of the exact
// result (Tests/ConvKitTests/ActivationAccuracyTests.swift): sigmoid, tanh and softplus <= 3 ulp,
// ELU <= 2 ulp, leaky ReLU <= 0.5 ulp. Softmax adds the rounding of x - max(x): relative error
// <= (4 + |x - max|) * 2^-24. ck_expf gives 0 below -104, +Inf above 88.7228 and keeps NaN; with
// flush-to-zero on (ConvKit's default in its parallel regions) subnormal inputs and results read
// as zero.
#ifndef CK_MATH_H
#define CK_MATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

static inline __attribute__((always_inline)) float ck_bits_to_float(int32_t b) {
    float f;
    memcpy(&f, &b, sizeof f);
    return f;
}

/// e^x. Range reduction x = n ln2 + r, |r| <= ln2/2 (ln2 split in a short high part and a low
/// part, so n * high is exact), a degree-5 minimax polynomial for e^r (Cephes' coefficients), and
/// a scale by 2^n done as two exact power-of-two factors so that subnormal results round once.
static inline __attribute__((always_inline)) float ck_expf(float x) {
#pragma clang fp contract(off)
    const int is_nan = x != x;
    float xc = is_nan ? 0.0f : x;
    xc = xc < -104.0f ? -104.0f : xc;
    xc = xc > 89.0f ? 89.0f : xc;
    const float t = xc * 1.44269504088896341f;
    const float n = (t + 12582912.0f) - 12582912.0f; // round to nearest, |t| < 2^22
    float r = xc - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    const float e = (p * (r * r) + r) + 1.0f;
    const int32_t ni = (int32_t)n; // -150..128
    const int32_t n1 = ni >> 1, n2 = ni - n1;
    const float y = (e * ck_bits_to_float((n1 + 127) << 23)) * ck_bits_to_float((n2 + 127) << 23);
    return is_nan ? x : y;
}

/// e^x - 1, accurate near 0: a degree-8 Taylor polynomial for |x| < 0.5 (truncation below 2^-27
/// relative), e^x - 1 elsewhere (where the subtraction loses under two bits).
static inline __attribute__((always_inline)) float ck_expm1f(float x) {
#pragma clang fp contract(off)
    const int small = x > -0.5f && x < 0.5f;
    const float s = small ? x : 0.0f;
    float p = 2.48015873e-5f; // 1/8!
    p = p * s + 1.98412698e-4f;
    p = p * s + 1.38888889e-3f;
    p = p * s + 8.33333333e-3f;
    p = p * s + 4.16666667e-2f;
    p = p * s + 1.66666667e-1f;
    p = p * s + 0.5f;
    const float near_zero = s + s * (s * p);
    const float far = ck_expf(x) - 1.0f;
    return small ? near_zero : far;
}

/// log(1 + x) for x in [0, 1]: 2 atanh(s) with s = x / (2 + x) <= 1/3, as the odd series
/// 2 (s + s^3/3 + ... + s^17/17) (truncation below 2^-27 relative). 2s is formed directly, so
/// no intermediate falls below the normal range while the result is normal (flush-to-zero safe).
static inline __attribute__((always_inline)) float ck_log1pf_unit(float x) {
#pragma clang fp contract(off)
    const float s2 = (2.0f * x) / (2.0f + x);
    const float s = 0.5f * s2;
    const float z = s * s;
    float p = 1.0f / 17.0f;
    p = p * z + 1.0f / 15.0f;
    p = p * z + 1.0f / 13.0f;
    p = p * z + 1.0f / 11.0f;
    p = p * z + 1.0f / 9.0f;
    p = p * z + 1.0f / 7.0f;
    p = p * z + 1.0f / 5.0f;
    p = p * z + 1.0f / 3.0f;
    return s2 + s2 * (z * p);
}

// The activations of one element, shared by the elementwise kernels and the convolution
// epilogues so that both compute the same bits (every body turns FMA contraction off, whatever
// the including file does).
static inline __attribute__((always_inline)) float ck_sigmoidf(float x) {
#pragma clang fp contract(off)
    const float e = ck_expf(-fabsf(x));
    const float d = 1.0f + e;
    return x >= 0.0f ? 1.0f / d : e / d;
}

static inline __attribute__((always_inline)) float ck_tanhf(float x) {
#pragma clang fp contract(off)
    const float u = ck_expm1f(-2.0f * fabsf(x));
    return copysignf(-u / (u + 2.0f), x);
}

static inline __attribute__((always_inline)) float ck_leaky_reluf(float x, float alpha) {
#pragma clang fp contract(off)
    return x > 0.0f ? x : alpha * x;
}

static inline __attribute__((always_inline)) float ck_eluf(float x, float alpha) {
#pragma clang fp contract(off)
    const float e = alpha * ck_expm1f(x);
    return x > 0.0f ? x : e;
}

static inline __attribute__((always_inline)) float ck_softplusf(float x) {
#pragma clang fp contract(off)
    const float v = (x > 0.0f ? x : 0.0f) + ck_log1pf_unit(ck_expf(-fabsf(x)));
    return x != x ? x : v;
}

#endif
