// Lowering for convolution (portable C): im2col, col2im, and the padded / zero-inserted copy of
// an NHWC image that lets the direct kernels read every tap in bounds. Contracts: ConvKitKernels.h.
#include <string.h>
#include "ConvKitKernels.h"

void ck_f32_im2col_nhwc(const float *in, size_t h, size_t w, size_t c, size_t c0, size_t cg,
                        size_t ho, size_t wo, size_t kh, size_t kw, size_t sy, size_t sx,
                        size_t dy, size_t dx, ptrdiff_t pad_top, ptrdiff_t pad_left, size_t p0,
                        size_t count, float *col, size_t ldcol) {
    const size_t per_image = ho * wo;
    size_t n = p0 / per_image, rem = p0 % per_image;
    size_t oy = rem / wo, ox = rem % wo;
    for (size_t r = 0; r < count; r++) {
        const float *image = in + n * h * w * c;
        float *dst = col + r * ldcol;
        for (size_t ky = 0; ky < kh; ky++) {
            const ptrdiff_t iy = (ptrdiff_t)(oy * sy + ky * dy) - pad_top;
            if (iy < 0 || iy >= (ptrdiff_t)h) {
                memset(dst, 0, kw * cg * sizeof(float));
                dst += kw * cg;
                continue;
            }
            const float *row = image + (size_t)iy * w * c + c0;
            for (size_t kx = 0; kx < kw; kx++) {
                const ptrdiff_t ix = (ptrdiff_t)(ox * sx + kx * dx) - pad_left;
                if (ix < 0 || ix >= (ptrdiff_t)w) {
                    for (size_t i = 0; i < cg; i++) dst[i] = 0.0f;
                } else {
                    const float *src = row + (size_t)ix * c;
                    for (size_t i = 0; i < cg; i++) dst[i] = src[i];
                }
                dst += cg;
            }
        }
        if (++ox == wo) {
            ox = 0;
            if (++oy == ho) {
                oy = 0;
                n++;
            }
        }
    }
}

void ck_f32_col2im_nhwc(const float *col, size_t ldcol, size_t p0, size_t count, float *in,
                        size_t h, size_t w, size_t c, size_t c0, size_t cg, size_t ho, size_t wo,
                        size_t kh, size_t kw, size_t sy, size_t sx, size_t dy, size_t dx,
                        ptrdiff_t pad_top, ptrdiff_t pad_left) {
    const size_t per_image = ho * wo;
    size_t n = p0 / per_image, rem = p0 % per_image;
    size_t oy = rem / wo, ox = rem % wo;
    for (size_t r = 0; r < count; r++) {
        float *image = in + n * h * w * c;
        const float *src = col + r * ldcol;
        for (size_t ky = 0; ky < kh; ky++) {
            const ptrdiff_t iy = (ptrdiff_t)(oy * sy + ky * dy) - pad_top;
            if (iy < 0 || iy >= (ptrdiff_t)h) {
                src += kw * cg;
                continue;
            }
            float *row = image + (size_t)iy * w * c + c0;
            for (size_t kx = 0; kx < kw; kx++) {
                const ptrdiff_t ix = (ptrdiff_t)(ox * sx + kx * dx) - pad_left;
                if (ix >= 0 && ix < (ptrdiff_t)w) {
                    float *dst = row + (size_t)ix * c;
                    for (size_t i = 0; i < cg; i++) dst[i] += src[i];
                }
                src += cg;
            }
        }
        if (++ox == wo) {
            ox = 0;
            if (++oy == ho) {
                oy = 0;
                n++;
            }
        }
    }
}

// Source coordinate of destination coordinate d, or -1 when d falls in padding or between
// inserted zeros.
static inline ptrdiff_t ck_source_index(ptrdiff_t d, ptrdiff_t before, size_t insert, size_t extent) {
    const ptrdiff_t u = d - before;
    if (u < 0 || u % (ptrdiff_t)insert != 0) return -1;
    const ptrdiff_t s = u / (ptrdiff_t)insert;
    return s < (ptrdiff_t)extent ? s : -1;
}

void ck_f32_pad_nhwc(const float *src, size_t h, size_t w, size_t c, size_t insert_y,
                     size_t insert_x, ptrdiff_t pad_top, ptrdiff_t pad_left, size_t y0, size_t y1,
                     size_t wd, float *dst) {
    for (size_t y = y0; y < y1; y++) {
        float *drow = dst + (y - y0) * wd * c;
        const ptrdiff_t sy = ck_source_index((ptrdiff_t)y, pad_top, insert_y, h);
        if (sy < 0) {
            memset(drow, 0, wd * c * sizeof(float));
            continue;
        }
        const float *srow = src + (size_t)sy * w * c;
        if (insert_x == 1) {
            // One contiguous run of source pixels between zero borders (either may be empty).
            ptrdiff_t first = pad_left < 0 ? 0 : pad_left;
            ptrdiff_t last = pad_left + (ptrdiff_t)w;
            if (last > (ptrdiff_t)wd) last = (ptrdiff_t)wd;
            if (first > (ptrdiff_t)wd) first = (ptrdiff_t)wd;
            if (last < first) last = first;
            memset(drow, 0, (size_t)first * c * sizeof(float));
            if (last > first) {
                memcpy(drow + (size_t)first * c, srow + (size_t)(first - pad_left) * c,
                       (size_t)(last - first) * c * sizeof(float));
            }
            memset(drow + (size_t)last * c, 0, (wd - (size_t)last) * c * sizeof(float));
        } else {
            for (size_t x = 0; x < wd; x++) {
                const ptrdiff_t sx = ck_source_index((ptrdiff_t)x, pad_left, insert_x, w);
                if (sx < 0) {
                    memset(drow + x * c, 0, c * sizeof(float));
                } else {
                    memcpy(drow + x * c, srow + (size_t)sx * c, c * sizeof(float));
                }
            }
        }
    }
}
