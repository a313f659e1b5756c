// Lowering for convolution (portable C): im2col, col2im, and the padded / zero-inserted copy of
// an NHWC image that lets the direct kernels read every tap in bounds. Contracts: ConvKitKernels.h.
#include <string.h>
#include "ConvKitKernels.h"

void ck_f32_im2col_nhwc(const float *in, size_t h, size_t w, size_t c, size_t c0, size_t cg, size_t ho,
                        size_t wo, size_t kh, size_t kw, size_t sy, size_t sx, size_t dy, size_t dx,
                        ptrdiff_t pad_top, ptrdiff_t pad_left, size_t p0, size_t count, float *col,
                        size_t ldcol) {
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

// dst[j*dst_step + i] += src[j*ldsrc + i] for j < count, i < cg; the channel loop unrolled for
// the group widths of first layers (1-4: one image channel, RGB, RGBA).
static inline __attribute__((always_inline)) void ck_col2im_sweep(const float *restrict src, size_t ldsrc,
                                                                  float *restrict dst, size_t dst_step,
                                                                  size_t count, size_t cg) {
#define CK_SWEEP(CG)                                                    \
    for (size_t j = 0; j < count; j++, src += ldsrc, dst += dst_step) { \
        for (size_t i = 0; i < (CG); i++) dst[i] += src[i];             \
    }                                                                   \
    return;
    switch (cg) {
    case 1: CK_SWEEP(1)
    case 2: CK_SWEEP(2)
    case 3: CK_SWEEP(3)
    case 4: CK_SWEEP(4)
    default: CK_SWEEP(cg)
    }
#undef CK_SWEEP
}

void ck_f32_col2im_nhwc(const float *col, size_t ldcol, size_t p0, size_t count, float *in, size_t h,
                        size_t w, size_t c, size_t c0, size_t cg, size_t ho, size_t wo, size_t kh, size_t kw,
                        size_t sy, size_t sx, size_t dy, size_t dx, ptrdiff_t pad_top, ptrdiff_t pad_left) {
    // Swept one input row and one tap at a time: (ky descending, kx descending, ox ascending)
    // gives every input element its contributions in ascending output-pixel order (the order of
    // a scatter over the rows), while the adds to one element lie a whole sweep apart. (Pixel by
    // pixel, the taps of neighbouring pixels add into the same elements a few instructions apart,
    // a chain of store-to-load forwarding, which the sweep avoids; `convbench conv --problem
    // ... --algorithms im2col --passes backwardData` times it.)
    if (count == 0) return;
    const size_t per_image = ho * wo, p1 = p0 + count;
    for (size_t n = p0 / per_image; n * per_image < p1; n++) {
        const size_t base = n * per_image;
        const size_t q0 = base > p0 ? base : p0, q1 = p1 < base + per_image ? p1 : base + per_image;
        const size_t oy_first = (q0 - base) / wo, oy_last = (q1 - 1 - base) / wo;
        ptrdiff_t iy_lo = (ptrdiff_t)(oy_first * sy) - pad_top;
        ptrdiff_t iy_hi = (ptrdiff_t)(oy_last * sy + (kh - 1) * dy) - pad_top;
        if (iy_lo < 0) iy_lo = 0;
        if (iy_hi > (ptrdiff_t)h - 1) iy_hi = (ptrdiff_t)h - 1;
        float *image = in + n * h * w * c + c0;
        for (ptrdiff_t iy = iy_lo; iy <= iy_hi; iy++) {
            float *row = image + (size_t)iy * w * c;
            for (size_t ky = kh; ky-- > 0;) {
                const ptrdiff_t ty = iy + pad_top - (ptrdiff_t)(ky * dy);
                if (ty < 0 || ty % (ptrdiff_t)sy != 0) continue;
                const size_t oy = (size_t)ty / sy;
                if (oy < oy_first || oy > oy_last) continue;
                // The output columns of row oy that lie in [q0, q1).
                const size_t row_start = base + oy * wo;
                const size_t ox_begin = row_start < q0 ? q0 - row_start : 0;
                const size_t ox_end = row_start + wo > q1 ? q1 - row_start : wo;
                for (size_t kx = kw; kx-- > 0;) {
                    // ox with 0 <= ox*sx + kx*dx - pad_left < w.
                    const ptrdiff_t shift = (ptrdiff_t)(kx * dx) - pad_left;
                    size_t lo = ox_begin, hi = ox_end;
                    if (shift < 0) {
                        const size_t need = ((size_t)(-shift) + sx - 1) / sx;
                        if (need > lo) lo = need;
                    }
                    if ((ptrdiff_t)w - 1 - shift < 0) continue;
                    const size_t last = (size_t)((ptrdiff_t)w - 1 - shift) / sx + 1;
                    if (last < hi) hi = last;
                    if (lo >= hi) continue;
                    const float *tap = col + (row_start + lo - p0) * ldcol + (ky * kw + kx) * cg;
                    float *dst = row + (size_t)((ptrdiff_t)(lo * sx) + shift) * c;
                    ck_col2im_sweep(tap, ldcol, dst, sx * c, hi - lo, cg);
                }
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

void ck_f32_pad_nhwc(const float *src, size_t h, size_t w, size_t c, size_t insert_y, size_t insert_x,
                     ptrdiff_t pad_top, ptrdiff_t pad_left, size_t y0, size_t y1, size_t wd, float *dst) {
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
