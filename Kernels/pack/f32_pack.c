// Packing of A and B blocks into microkernel panels (portable C; see ConvKitKernels.h).
//
// The transposing cases (a panel's rows are strided in memory) read 16 consecutive floats (one
// cache line) of each source row at a time: rows a large power-of-two stride apart map to the
// same cache set, and reading them one float at a time would evict lines before they are used.
#include <string.h>
#include "ConvKitKernels.h"

enum { CK_PACK_BLOCK = 16 };

// dst[p * dst_stride + r] = src[r * src_stride + p] for r < rows, p < depth.
static inline __attribute__((always_inline)) void
ck_transpose_rows(size_t rows, size_t depth, const float *src, size_t src_stride, float *dst,
                  size_t dst_stride) {
    size_t p0 = 0;
    for (; p0 + CK_PACK_BLOCK <= depth; p0 += CK_PACK_BLOCK) {
        for (size_t r = 0; r < rows; r++) {
            const float *s = src + r * src_stride + p0;
            float *d = dst + p0 * dst_stride + r;
            for (size_t q = 0; q < CK_PACK_BLOCK; q++) d[q * dst_stride] = s[q];
        }
    }
    for (size_t r = 0; r < rows; r++) {
        const float *s = src + r * src_stride;
        for (size_t p = p0; p < depth; p++) dst[p * dst_stride + r] = s[p];
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
            ck_transpose_rows(rows, kc, src, rs, out, mr);
            if (rows < mr)
                for (size_t p = 0; p < kc; p++) memset(out + p * mr + rows, 0, (mr - rows) * sizeof(float));
        } else if (rs == 1) {
            ck_copy_rows_padded(kc, rows, mr, src, cs, out);
        } else {
            for (size_t p = 0; p < kc; p++)
                for (size_t i = 0; i < mr; i++) out[p * mr + i] = i < rows ? src[i * rs + p * cs] : 0.0f;
        }
        out += mr * kc;
    }
}

void ck_f32_pack_b(size_t kc, size_t nc, const float *b, size_t rs, size_t cs, size_t nr,
                   float *out) {
    for (size_t j0 = 0; j0 < nc; j0 += nr) {
        const size_t cols = nc - j0 < nr ? nc - j0 : nr;
        const float *src = b + j0 * cs;
        if (cs == 1) {
            if (cols == 32 && nr == 32) {
                ck_copy_rows_padded(kc, 32, 32, src, rs, out);
            } else if (cols == 16 && nr == 16) {
                ck_copy_rows_padded(kc, 16, 16, src, rs, out);
            } else {
                ck_copy_rows_padded(kc, cols, nr, src, rs, out);
            }
        } else if (rs == 1) {
            ck_transpose_rows(cols, kc, src, cs, out, nr);
            if (cols < nr)
                for (size_t p = 0; p < kc; p++) memset(out + p * nr + cols, 0, (nr - cols) * sizeof(float));
        } else {
            for (size_t p = 0; p < kc; p++)
                for (size_t j = 0; j < nr; j++) out[p * nr + j] = j < cols ? src[p * rs + j * cs] : 0.0f;
        }
        out += nr * kc;
    }
}
