// Max and average pooling over NHWC images (portable C; the channel loops are contiguous and
// the compiler vectorises them). Contracts: ConvKitKernels.h.
#include <math.h>
#include <string.h>
#include "ConvKitKernels.h"

static inline size_t ck_max_z(ptrdiff_t a) { return a < 0 ? 0 : (size_t)a; }

void ck_f32_maxpool_nhwc(const float *in, size_t h, size_t w, size_t c, size_t oh0, size_t oh1,
                         size_t ow, size_t kh, size_t kw, size_t sy, size_t sx, ptrdiff_t pad_top,
                         ptrdiff_t pad_left, float *out, int32_t *indices) {
    for (size_t oy = oh0; oy < oh1; oy++) {
        const ptrdiff_t y0 = (ptrdiff_t)(oy * sy) - pad_top;
        const size_t ys = ck_max_z(y0), ye = (size_t)(y0 + (ptrdiff_t)kh) < h ? (size_t)(y0 + (ptrdiff_t)kh) : h;
        for (size_t ox = 0; ox < ow; ox++) {
            const ptrdiff_t x0 = (ptrdiff_t)(ox * sx) - pad_left;
            const size_t xs = ck_max_z(x0), xe = (size_t)(x0 + (ptrdiff_t)kw) < w ? (size_t)(x0 + (ptrdiff_t)kw) : w;
            float *o = out + (oy * ow + ox) * c;
            int32_t *idx = indices ? indices + (oy * ow + ox) * c : NULL;
            // The first tap initialises; later taps replace only when strictly greater, or when
            // they are NaN and the best is not (NaN propagates; ties keep the first index).
            const float *first = in + (ys * w + xs) * c;
            memcpy(o, first, c * sizeof(float));
            if (idx) {
                const int32_t i0 = (int32_t)(ys * w + xs);
                for (size_t ch = 0; ch < c; ch++) idx[ch] = i0;
            }
            for (size_t y = ys; y < ye; y++) {
                for (size_t x = (y == ys ? xs + 1 : xs); x < xe; x++) {
                    const float *v = in + (y * w + x) * c;
                    if (idx) {
                        const int32_t i = (int32_t)(y * w + x);
                        for (size_t ch = 0; ch < c; ch++) {
                            const float best = o[ch], val = v[ch];
                            const int take = (val > best) | ((val != val) & (best == best));
                            o[ch] = take ? val : best;
                            idx[ch] = take ? i : idx[ch];
                        }
                    } else {
                        for (size_t ch = 0; ch < c; ch++) {
                            const float best = o[ch], val = v[ch];
                            const int take = (val > best) | ((val != val) & (best == best));
                            o[ch] = take ? val : best;
                        }
                    }
                }
            }
        }
    }
}

void ck_f32_maxpool_backward_nhwc(const float *dout, const int32_t *indices, size_t oh, size_t ow,
                                  size_t c, float *din, size_t h, size_t w) {
    memset(din, 0, h * w * c * sizeof(float));
    const size_t count = oh * ow;
    for (size_t p = 0; p < count; p++) {
        const float *g = dout + p * c;
        const int32_t *idx = indices + p * c;
        for (size_t ch = 0; ch < c; ch++) din[(size_t)idx[ch] * c + ch] += g[ch];
    }
}

// Window bounds of output (oy, ox) and its divisor (PyTorch's rule: with padding included,
// the window is clipped to the padded input; without, to the input).
static inline void ck_avg_window(size_t oy, size_t ox, size_t h, size_t w, size_t kh, size_t kw,
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

void ck_f32_avgpool_nhwc(const float *in, size_t h, size_t w, size_t c, size_t oh0, size_t oh1,
                         size_t ow, size_t kh, size_t kw, size_t sy, size_t sx, ptrdiff_t pad_top,
                         ptrdiff_t pad_left, ptrdiff_t pad_bottom, ptrdiff_t pad_right,
                         int include_pad, float *out) {
    for (size_t oy = oh0; oy < oh1; oy++) {
        for (size_t ox = 0; ox < ow; ox++) {
            size_t ys, ye, xs, xe;
            float scale;
            ck_avg_window(oy, ox, h, w, kh, kw, sy, sx, pad_top, pad_left, pad_bottom, pad_right,
                          include_pad, &ys, &ye, &xs, &xe, &scale);
            float *o = out + (oy * ow + ox) * c;
            for (size_t ch = 0; ch < c; ch++) o[ch] = 0.0f;
            for (size_t y = ys; y < ye; y++) {
                for (size_t x = xs; x < xe; x++) {
                    const float *v = in + (y * w + x) * c;
                    for (size_t ch = 0; ch < c; ch++) o[ch] += v[ch];
                }
            }
            for (size_t ch = 0; ch < c; ch++) o[ch] *= scale;
        }
    }
}

void ck_f32_avgpool_backward_nhwc(const float *dout, size_t oh, size_t ow, size_t c, float *din,
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
