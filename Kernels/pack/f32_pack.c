// Packing of A and B blocks into microkernel panels (portable C; see ConvKitKernels.h).
//
// The transposing cases (a panel's rows are strided in memory) read 16 consecutive floats (one
// cache line) of each source row at a time: rows a large power-of-two stride apart map to the
// same cache set, and reading them one float at a time would evict lines before they are used.
#include <string.h>
#include "ConvKitKernels.h"
#include "../common/ck_v4f.h"

enum { CK_PACK_BLOCK = 16, CK_PACK_AHEAD = 4 };

// Transposes the 4 x 4 block src[r * src_stride + q] (r, q < 4) into dst[q * dst_stride + r].
static inline __attribute__((always_inline)) void
ck_transpose_4x4(const float *src, size_t src_stride, float *dst, size_t dst_stride) {
    const ck_v4f r0 = ck_load_v4f(src), r1 = ck_load_v4f(src + src_stride);
    const ck_v4f r2 = ck_load_v4f(src + 2 * src_stride), r3 = ck_load_v4f(src + 3 * src_stride);
    const ck_v4f t0 = __builtin_shufflevector(r0, r1, 0, 4, 1, 5);
    const ck_v4f t1 = __builtin_shufflevector(r0, r1, 2, 6, 3, 7);
    const ck_v4f t2 = __builtin_shufflevector(r2, r3, 0, 4, 1, 5);
    const ck_v4f t3 = __builtin_shufflevector(r2, r3, 2, 6, 3, 7);
    ck_store_v4f(dst, __builtin_shufflevector(t0, t2, 0, 1, 4, 5));
    ck_store_v4f(dst + dst_stride, __builtin_shufflevector(t0, t2, 2, 3, 6, 7));
    ck_store_v4f(dst + 2 * dst_stride, __builtin_shufflevector(t1, t3, 0, 1, 4, 5));
    ck_store_v4f(dst + 3 * dst_stride, __builtin_shufflevector(t1, t3, 2, 3, 6, 7));
}

// dst[p * dst_stride + r] = src[r * src_stride + p] for r < rows, p < depth.
// Four source rows at a time are walked over the whole depth (four sequential streams) through
// 4 x 4 register transposes, while the next four rows are prefetched line by line.
static inline __attribute__((always_inline)) void
ck_transpose_rows(size_t rows, size_t depth, const float *src, size_t src_stride, float *dst,
                  size_t dst_stride) {
    size_t r = 0;
    for (; r + 4 <= rows; r += 4) {
        const float *s = src + r * src_stride;
        float *d = dst + r;
        const float *next = r + 8 <= rows ? s + 4 * src_stride : s;
        size_t p = 0;
        for (; p + CK_PACK_BLOCK <= depth; p += CK_PACK_BLOCK) {
            for (size_t i = 0; i < 4; i++) __builtin_prefetch(next + i * src_stride + p);
            for (size_t q = p; q < p + CK_PACK_BLOCK; q += 4)
                ck_transpose_4x4(s + q, src_stride, d + q * dst_stride, dst_stride);
        }
        for (; p < depth; p++)
            for (size_t i = 0; i < 4; i++) d[p * dst_stride + i] = s[i * src_stride + p];
    }
    for (; r < rows; r++) {
        const float *s = src + r * src_stride;
        for (size_t p = 0; p < depth; p++) dst[p * dst_stride + r] = s[p];
    }
}

// dst[p * width + c] = src[p * src_stride + c] for c < cols, zero for cols <= c < width.
static inline __attribute__((always_inline)) void
ck_copy_rows_padded(size_t depth, size_t cols, size_t width, const float *src, size_t src_stride,
                    float *dst) {
    for (size_t p = 0; p < depth; p++) {
        memcpy(dst + p * width, src + p * src_stride, cols * sizeof(float));
        if (cols < width) memset(dst + p * width + cols, 0, (width - cols) * sizeof(float));
    }
}

void ck_f32_pack_a(size_t mc, size_t kc, const float *a, size_t rs, size_t cs, size_t mr,
                   float *out) {
    for (size_t i0 = 0; i0 < mc; i0 += mr) {
        const size_t rows = mc - i0 < mr ? mc - i0 : mr;
        const float *src = a + i0 * rs;
        if (cs == 1) {
            if (rows < mr) memset(out, 0, mr * kc * sizeof(float));
            ck_transpose_rows(rows, kc, src, rs, out, mr);
        } else {  // rs == 1
            ck_copy_rows_padded(kc, rows, mr, src, cs, out);
        }
        out += mr * kc;
    }
}

void ck_f32_pack_b(size_t kc, size_t nc, const float *b, size_t rs, size_t cs, size_t nr,
                   float *out) {
    if (cs == 1) {
        // op(B) rows are contiguous: walk each source row once from left to right (one sequential
        // stream the hardware prefetcher follows), dealing nr-wide pieces to the panels.
        const size_t full = nc / nr * nr, tail = nc - full;
        const size_t panel = nr * kc;
        for (size_t p = 0; p < kc; p++) {
            const float *row = b + p * rs;
            float *dst = out + p * nr;
            size_t j0 = 0;
            // Prefetch the same columns CK_PACK_AHEAD rows further down: each row is a separate
            // stream, and the hardware prefetcher starts each one too late on its own.
            const float *ahead = p + CK_PACK_AHEAD < kc ? row + CK_PACK_AHEAD * rs : row;
            if (nr == 32) {
                for (; j0 < full; j0 += 32, dst += panel) {
                    __builtin_prefetch(ahead + j0);
                    __builtin_prefetch(ahead + j0 + 16);
                    memcpy(dst, row + j0, 32 * sizeof(float));
                }
            } else if (nr == 16) {
                for (; j0 < full; j0 += 16, dst += panel) {
                    __builtin_prefetch(ahead + j0);
                    memcpy(dst, row + j0, 16 * sizeof(float));
                }
            } else {
                for (; j0 < full; j0 += nr, dst += panel) memcpy(dst, row + j0, nr * sizeof(float));
            }
            if (tail) {
                memcpy(dst, row + full, tail * sizeof(float));
                memset(dst + tail, 0, (nr - tail) * sizeof(float));
            }
        }
        return;
    }
    for (size_t j0 = 0; j0 < nc; j0 += nr) {
        const size_t cols = nc - j0 < nr ? nc - j0 : nr;
        const float *src = b + j0 * cs;
        // rs == 1: op(B) columns are contiguous in p.
        if (cols < nr) memset(out, 0, nr * kc * sizeof(float));
        ck_transpose_rows(cols, kc, src, cs, out, nr);
        out += nr * kc;
    }
}
