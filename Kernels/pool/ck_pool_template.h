// Max and average pooling over NHWC images, written once in portable C (the channel loops are
// contiguous and the compiler vectorises them to the target's width) and compiled per ISA by the
// files that include this header (f32_pool__avx512.c, __avx2.c, __generic.c). Private to
// ConvKitKernels; the contracts are in ConvKitKernels.h (CK_POOL_KERNELS).
//
// An including file defines CK_POOL_TARGET (a function attribute, may be empty) and
// CK_POOL_NAME(op) (the function name for op, e.g. f32_maxpool_nhwc__avx512).
#include <stdint.h>
#include <string.h>
#include "ConvKitKernels.h"

static inline __attribute__((always_inline)) size_t ck_max_z(ptrdiff_t a) { return a < 0 ? 0 : (size_t)a; }

// Streaming (non-temporal) stores of the max pooling backward pass: 16 floats from src to dst (16-byte
// aligned: Swift arrays are), four SSE stores; the write-combining buffers gather whole lines
// whatever the store width. Other architectures store plainly.
#if defined(__x86_64__)
#include <immintrin.h>
#define CK_POOL_STREAM16(dst, src)                                                                \
    (_mm_stream_ps((dst), _mm_loadu_ps(src)), _mm_stream_ps((dst) + 4, _mm_loadu_ps((src) + 4)),  \
     _mm_stream_ps((dst) + 8, _mm_loadu_ps((src) + 8)), _mm_stream_ps((dst) + 12, _mm_loadu_ps((src) + 12)))
#define CK_POOL_STREAM_FENCE() _mm_sfence()
#define CK_POOL_STREAM_ALIGN 16
#else
#define CK_POOL_STREAM16(dst, src) memcpy((dst), (src), 16 * sizeof(float))
#define CK_POOL_STREAM_FENCE() ((void)0)
#define CK_POOL_STREAM_ALIGN 4
#endif

static inline __attribute__((always_inline)) int ck_pool_can_stream(const float *din, size_t c) {
    return c % 16 == 0 && ((uintptr_t)din % CK_POOL_STREAM_ALIGN) == 0;
}

CK_POOL_TARGET
void CK_POOL_NAME(maxpool_nhwc)(const float *in, size_t h, size_t w, size_t c, size_t oh0, size_t oh1,
                         size_t ow, size_t kh, size_t kw, size_t sy, size_t sx, ptrdiff_t pad_top,
                         ptrdiff_t pad_left, float *out, int32_t *indices) {
    for (size_t oy = oh0; oy < oh1; oy++) {
        const ptrdiff_t y0 = (ptrdiff_t)(oy * sy) - pad_top;
        const size_t ys = ck_max_z(y0), ye = (size_t)(y0 + (ptrdiff_t)kh) < h ? (size_t)(y0 + (ptrdiff_t)kh) : h;
        for (size_t ox = 0; ox < ow; ox++) {
            const ptrdiff_t x0 = (ptrdiff_t)(ox * sx) - pad_left;
            const size_t xs = ck_max_z(x0), xe = (size_t)(x0 + (ptrdiff_t)kw) < w ? (size_t)(x0 + (ptrdiff_t)kw) : w;
            float *restrict o = out + (oy * ow + ox) * c;
            // The first tap initialises; a later tap replaces the maximum when it is greater or
            // NaN (PyTorch's rule: NaN propagates; ties keep the first element).
            // Blocks of 16 channels keep their maxima and indices in registers across the taps;
            // the loops below finish the remaining channels.
            const size_t blocked = c / 16 * 16;
            for (size_t ch0 = 0; ch0 < blocked; ch0 += 16) {
                float best[16];
                int32_t at[16];
                const int32_t i0 = (int32_t)(ys * w + xs);
                for (int j = 0; j < 16; j++) {
                    best[j] = in[(ys * w + xs) * c + ch0 + j];
                    at[j] = i0;
                }
                for (size_t y = ys; y < ye; y++) {
                    for (size_t x = (y == ys ? xs + 1 : xs); x < xe; x++) {
                        const float *restrict v = in + (y * w + x) * c + ch0;
                        const int32_t i = (int32_t)(y * w + x);
                        for (int j = 0; j < 16; j++) {
                            const int take = (v[j] > best[j]) | (v[j] != v[j]);
                            best[j] = take ? v[j] : best[j];
                            at[j] = take ? i : at[j];
                        }
                    }
                }
                for (int j = 0; j < 16; j++) o[ch0 + j] = best[j];
                if (indices) {
                    int32_t *restrict idx = indices + (oy * ow + ox) * c + ch0;
                    for (int j = 0; j < 16; j++) idx[j] = at[j];
                }
            }
            if (blocked == c) continue;
            o += blocked;
            const float *restrict base = in + blocked;
            const size_t rest = c - blocked;
            for (size_t ch = 0; ch < rest; ch++) o[ch] = base[(ys * w + xs) * c + ch];
            if (indices) {
                int32_t *restrict idx = indices + (oy * ow + ox) * c + blocked;
                const int32_t i0 = (int32_t)(ys * w + xs);
                for (size_t ch = 0; ch < rest; ch++) idx[ch] = i0;
                for (size_t y = ys; y < ye; y++) {
                    for (size_t x = (y == ys ? xs + 1 : xs); x < xe; x++) {
                        const float *restrict v = base + (y * w + x) * c;
                        const int32_t i = (int32_t)(y * w + x);
                        for (size_t ch = 0; ch < rest; ch++) {
                            const int take = (v[ch] > o[ch]) | (v[ch] != v[ch]);
                            o[ch] = take ? v[ch] : o[ch];
                            idx[ch] = take ? i : idx[ch];
                        }
                    }
                }
            } else {
                for (size_t y = ys; y < ye; y++) {
                    for (size_t x = (y == ys ? xs + 1 : xs); x < xe; x++) {
                        const float *restrict v = base + (y * w + x) * c;
                        for (size_t ch = 0; ch < rest; ch++) o[ch] = ((v[ch] > o[ch]) | (v[ch] != v[ch])) ? v[ch] : o[ch];
                    }
                }
            }
        }
    }
}

// The outputs whose windows contain input position i along one axis form the range [lo, hi]
// (empty when hi < lo). ck_window_cover advances both ends for position i, which callers visit
// in ascending order: no division per element.
typedef struct { ptrdiff_t lo, hi; } ck_cover;

static inline __attribute__((always_inline)) void ck_window_cover(ck_cover *r, ptrdiff_t i, ptrdiff_t count,
                                                                   ptrdiff_t k, ptrdiff_t s, ptrdiff_t pad) {
    while (r->hi + 1 < count && (r->hi + 1) * s - pad <= i) r->hi++;
    while (r->lo < count && r->lo * s - pad + k <= i) r->lo++;
}

static inline __attribute__((always_inline)) ck_cover ck_cover_start(ptrdiff_t i, ptrdiff_t count, ptrdiff_t k,
                                                                      ptrdiff_t s, ptrdiff_t pad) {
    // lo: the first window ending after i; hi: the last starting at or before i.
    ptrdiff_t lo = i + pad - k + 1 <= 0 ? 0 : (i + pad - k + 1 + s - 1) / s;
    ptrdiff_t hi = i + pad < 0 ? -1 : (i + pad) / s;
    if (hi > count - 1) hi = count - 1;
    ck_cover r = { lo, hi };
    return r;
}

// Runs the statements given as the macro argument for every input element (y, x) of rows
// [y0, y1), x in [0, w), with ry and rx the ranges of output rows and columns whose windows
// contain it. Uses the variables y0, y1, w, oh, ow, kh, kw, sy, sx, pad_top, pad_left of the
// enclosing kernel.
#define CK_FOR_EACH_COVERED_ELEMENT(...)                                                             \
    for (size_t y = y0; y < y1; y++) {                                                              \
        const ck_cover ry = ck_cover_start((ptrdiff_t)y, (ptrdiff_t)oh, (ptrdiff_t)kh, (ptrdiff_t)sy, pad_top); \
        ck_cover rx = { 0, -1 };                                                                    \
        for (size_t x = 0; x < w; x++) {                                                            \
            ck_window_cover(&rx, (ptrdiff_t)x, (ptrdiff_t)ow, (ptrdiff_t)kw, (ptrdiff_t)sx, pad_left); \
            __VA_ARGS__                                                                             \
        }                                                                                           \
    }

CK_POOL_TARGET
size_t CK_POOL_NAME(maxpool_backward_nhwc)(const float *dout, const int32_t *indices, size_t oh, size_t ow,
                                  size_t c, float *din, size_t h, size_t w, size_t y0, size_t y1,
                                  size_t kh, size_t kw, size_t sy, size_t sx, ptrdiff_t pad_top,
                                  ptrdiff_t pad_left, int streaming) {
    (void)h;
    size_t matches = 0;
    if (streaming && ck_pool_can_stream(din, c)) {
        CK_FOR_EACH_COVERED_ELEMENT({
            const int32_t i = (int32_t)(y * w + x);
            for (size_t ch0 = 0; ch0 < c; ch0 += 16) {
                float acc[16] = { 0 };
                for (ptrdiff_t oy = ry.lo; oy <= ry.hi; oy++) {
                    for (ptrdiff_t ox = rx.lo; ox <= rx.hi; ox++) {
                        const size_t p = ((size_t)oy * ow + (size_t)ox) * c + ch0;
                        for (int j = 0; j < 16; j++) {
                            matches += indices[p + j] == i;
                            acc[j] += indices[p + j] == i ? dout[p + j] : 0.0f;
                        }
                    }
                }
                CK_POOL_STREAM16(din + (y * w + x) * c + ch0, acc);
            }
        });
        CK_POOL_STREAM_FENCE();
        return matches;
    }
    if (sy == kh && sx == kw && pad_top == 0 && pad_left == 0 && ow * kw <= w) {
        // Windows tile the input: each input row meets one row of windows, each element at most
        // one window, whose gradients and indices serve its kw columns while in registers.
        for (size_t y = y0; y < y1; y++) {
            float *restrict drow = din + y * w * c;
            const size_t oy = y / kh;
            if (oy >= oh) {
                memset(drow, 0, w * c * sizeof(float));
                continue;
            }
            for (size_t ox = 0; ox < ow; ox++) {
                const size_t p = (oy * ow + ox) * c;
                const float *restrict g = dout + p;
                const int32_t *restrict idx = indices + p;
                for (size_t kx = 0; kx < kw; kx++) {
                    const size_t x = ox * kw + kx;
                    float *restrict d = drow + x * c;
                    const int32_t i = (int32_t)(y * w + x);
                    for (size_t ch = 0; ch < c; ch++) {
                        matches += idx[ch] == i;
                        d[ch] = (idx[ch] == i ? g[ch] : 0.0f) + 0.0f;  // + 0: -0 becomes +0, as in a scatter onto 0
                    }
                }
            }
            if (ow * kw < w) memset(drow + ow * kw * c, 0, (w - ow * kw) * c * sizeof(float));
        }
        return matches;
    }
    CK_FOR_EACH_COVERED_ELEMENT({
        float *restrict d = din + (y * w + x) * c;
        const int32_t i = (int32_t)(y * w + x);
        if (ry.lo == ry.hi && rx.lo == rx.hi) {
            // One window (stride at least the window, away from the padding): a select, no sum.
            const size_t p = ((size_t)ry.lo * ow + (size_t)rx.lo) * c;
            const float *restrict g = dout + p;
            const int32_t *restrict idx = indices + p;
            for (size_t ch = 0; ch < c; ch++) {
                matches += idx[ch] == i;
                d[ch] = (idx[ch] == i ? g[ch] : 0.0f) + 0.0f;  // + 0: -0 becomes +0, as in a scatter onto 0
            }
            continue;
        }
        for (size_t ch = 0; ch < c; ch++) d[ch] = 0.0f;
        // Windows in ascending output order, as a scatter over the outputs would add them.
        for (ptrdiff_t oy = ry.lo; oy <= ry.hi; oy++) {
            for (ptrdiff_t ox = rx.lo; ox <= rx.hi; ox++) {
                const size_t p = ((size_t)oy * ow + (size_t)ox) * c;
                const float *restrict g = dout + p;
                const int32_t *restrict idx = indices + p;
                for (size_t ch = 0; ch < c; ch++) {
                    matches += idx[ch] == i;
                    d[ch] += idx[ch] == i ? g[ch] : 0.0f;
                }
            }
        }
    });
    return matches;
}

// Window bounds of output (oy, ox) and its divisor (PyTorch's rule: with padding included,
// the window is clipped to the padded input; without, to the input).
static inline __attribute__((always_inline)) void ck_avg_window(size_t oy, size_t ox, size_t h, size_t w, size_t kh, size_t kw,
                                 size_t sy, size_t sx, ptrdiff_t pad_top, ptrdiff_t pad_left,
                                 ptrdiff_t pad_bottom, ptrdiff_t pad_right, int include_pad,
                                 size_t *ys, size_t *ye, size_t *xs, size_t *xe, float *scale) {
    const ptrdiff_t y0 = (ptrdiff_t)(oy * sy) - pad_top, x0 = (ptrdiff_t)(ox * sx) - pad_left;
    ptrdiff_t y1 = y0 + (ptrdiff_t)kh, x1 = x0 + (ptrdiff_t)kw;
    const ptrdiff_t ylim = (ptrdiff_t)h + pad_bottom, xlim = (ptrdiff_t)w + pad_right;
    const ptrdiff_t py1 = y1 < ylim ? y1 : ylim, px1 = x1 < xlim ? x1 : xlim;
    *ys = ck_max_z(y0);
    *xs = ck_max_z(x0);
    *ye = (size_t)(y1 < (ptrdiff_t)h ? y1 : (ptrdiff_t)h);
    *xe = (size_t)(x1 < (ptrdiff_t)w ? x1 : (ptrdiff_t)w);
    const size_t area = include_pad ? (size_t)((py1 - y0) * (px1 - x0)) : (*ye - *ys) * (*xe - *xs);
    *scale = 1.0f / (float)area;
}

CK_POOL_TARGET
void CK_POOL_NAME(avgpool_nhwc)(const float *in, size_t h, size_t w, size_t c, size_t oh0, size_t oh1,
                         size_t ow, size_t kh, size_t kw, size_t sy, size_t sx, ptrdiff_t pad_top,
                         ptrdiff_t pad_left, ptrdiff_t pad_bottom, ptrdiff_t pad_right,
                         int include_pad, float *out) {
    for (size_t oy = oh0; oy < oh1; oy++) {
        for (size_t ox = 0; ox < ow; ox++) {
            size_t ys, ye, xs, xe;
            float scale;
            ck_avg_window(oy, ox, h, w, kh, kw, sy, sx, pad_top, pad_left, pad_bottom, pad_right,
                          include_pad, &ys, &ye, &xs, &xe, &scale);
            float *restrict o = out + (oy * ow + ox) * c;
            for (size_t ch = 0; ch < c; ch++) o[ch] = 0.0f;
            for (size_t y = ys; y < ye; y++) {
                for (size_t x = xs; x < xe; x++) {
                    const float *restrict v = in + (y * w + x) * c;
                    for (size_t ch = 0; ch < c; ch++) o[ch] += v[ch];
                }
            }
            for (size_t ch = 0; ch < c; ch++) o[ch] *= scale;
        }
    }
}

CK_POOL_TARGET
void CK_POOL_NAME(avgpool_backward_nhwc)(const float *dout, size_t oh, size_t ow, size_t c, float *din,
                                  size_t h, size_t w, size_t y0, size_t y1, size_t kh, size_t kw,
                                  size_t sy, size_t sx, ptrdiff_t pad_top, ptrdiff_t pad_left,
                                  ptrdiff_t pad_bottom, ptrdiff_t pad_right, int include_pad) {
    CK_FOR_EACH_COVERED_ELEMENT({
        float *restrict d = din + (y * w + x) * c;
        for (size_t ch = 0; ch < c; ch++) d[ch] = 0.0f;
        for (ptrdiff_t oy = ry.lo; oy <= ry.hi; oy++) {
            for (ptrdiff_t ox = rx.lo; ox <= rx.hi; ox++) {
                size_t ys, ye, xs, xe;
                float scale;
                ck_avg_window((size_t)oy, (size_t)ox, h, w, kh, kw, sy, sx, pad_top, pad_left, pad_bottom,
                              pad_right, include_pad, &ys, &ye, &xs, &xe, &scale);
                const float *restrict g = dout + ((size_t)oy * ow + (size_t)ox) * c;
                for (size_t ch = 0; ch < c; ch++) d[ch] += g[ch] * scale;
            }
        }
    });
}
