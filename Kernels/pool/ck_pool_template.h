// Max and average pooling over NHWC images, written once in portable C (the channel loops are
// contiguous and the compiler vectorises them to the target's width) and compiled per ISA by the
// files that include this header (f32_pool__avx512.c, __avx2.c, __generic.c). Private to
// ConvKitKernels; the contracts are in ConvKitKernels.h (CK_POOL_KERNELS).
//
// An including file defines CK_POOL_TARGET (a function attribute, may be empty) and
// CK_POOL_NAME(op) (the function name for op, e.g. f32_maxpool_nhwc__avx512).
#include <string.h>
#include "ConvKitKernels.h"

static inline __attribute__((always_inline)) size_t ck_max_z(ptrdiff_t a) { return a < 0 ? 0 : (size_t)a; }

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
            for (size_t ch = 0; ch < c; ch++) o[ch] = in[(ys * w + xs) * c + ch];
            if (indices) {
                int32_t *restrict idx = indices + (oy * ow + ox) * c;
                const int32_t i0 = (int32_t)(ys * w + xs);
                for (size_t ch = 0; ch < c; ch++) idx[ch] = i0;
                for (size_t y = ys; y < ye; y++) {
                    for (size_t x = (y == ys ? xs + 1 : xs); x < xe; x++) {
                        const float *restrict v = in + (y * w + x) * c;
                        const int32_t i = (int32_t)(y * w + x);
                        for (size_t ch = 0; ch < c; ch++) {
                            const int take = (v[ch] > o[ch]) | (v[ch] != v[ch]);
                            o[ch] = take ? v[ch] : o[ch];
                            idx[ch] = take ? i : idx[ch];
                        }
                    }
                }
            } else {
                for (size_t y = ys; y < ye; y++) {
                    for (size_t x = (y == ys ? xs + 1 : xs); x < xe; x++) {
                        const float *restrict v = in + (y * w + x) * c;
                        for (size_t ch = 0; ch < c; ch++) o[ch] = ((v[ch] > o[ch]) | (v[ch] != v[ch])) ? v[ch] : o[ch];
                    }
                }
            }
        }
    }
}

CK_POOL_TARGET
void CK_POOL_NAME(maxpool_backward_nhwc)(const float *dout, const int32_t *indices, size_t oh, size_t ow,
                                  size_t c, float *din, size_t h, size_t w) {
    memset(din, 0, h * w * c * sizeof(float));
    const size_t count = oh * ow;
    for (size_t p = 0; p < count; p++) {
        const float *g = dout + p * c;
        const int32_t *idx = indices + p * c;
        for (size_t ch = 0; ch < c; ch++) din[(size_t)idx[ch] * c + ch] += g[ch];
    }
}

CK_POOL_TARGET
void CK_POOL_NAME(maxpool_backward_tiled_nhwc)(const float *dout, const int32_t *indices, size_t oh,
                                        size_t ow, size_t c, float *din, size_t h, size_t w,
                                        size_t kh, size_t kw) {
    // Windows tile the input (stride == window, no padding): every input element lies in at
    // most one window, so each is written once (gradient or 0) and no separate zeroing pass runs.
    for (size_t oy = 0; oy < oh; oy++) {
        for (size_t ox = 0; ox < ow; ox++) {
            const float *restrict g = dout + (oy * ow + ox) * c;
            const int32_t *restrict idx = indices + (oy * ow + ox) * c;
            for (size_t y = oy * kh; y < oy * kh + kh; y++) {
                for (size_t x = ox * kw; x < ox * kw + kw; x++) {
                    float *restrict d = din + (y * w + x) * c;
                    const int32_t i = (int32_t)(y * w + x);
                    for (size_t ch = 0; ch < c; ch++) d[ch] = idx[ch] == i ? g[ch] : 0.0f;
                }
            }
        }
    }
    // Rows and columns no window covers.
    for (size_t y = 0; y < h; y++) {
        if (y >= oh * kh) {
            memset(din + y * w * c, 0, w * c * sizeof(float));
        } else if (ow * kw < w) {
            memset(din + (y * w + ow * kw) * c, 0, (w - ow * kw) * c * sizeof(float));
        }
    }
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
                                  size_t h, size_t w, size_t kh, size_t kw, size_t sy, size_t sx,
                                  ptrdiff_t pad_top, ptrdiff_t pad_left, ptrdiff_t pad_bottom,
                                  ptrdiff_t pad_right, int include_pad) {
    memset(din, 0, h * w * c * sizeof(float));
    for (size_t oy = 0; oy < oh; oy++) {
        for (size_t ox = 0; ox < ow; ox++) {
            size_t ys, ye, xs, xe;
            float scale;
            ck_avg_window(oy, ox, h, w, kh, kw, sy, sx, pad_top, pad_left, pad_bottom, pad_right,
                          include_pad, &ys, &ye, &xs, &xe, &scale);
            const float *g = dout + (oy * ow + ox) * c;
            for (size_t y = ys; y < ye; y++) {
                for (size_t x = xs; x < xe; x++) {
                    float *d = din + (y * w + x) * c;
                    for (size_t ch = 0; ch < c; ch++) d[ch] += g[ch] * scale;
                }
            }
        }
    }
}
