// Packing of A and B blocks into microkernel panels (portable C; see ConvKitKernels.h).
#include <string.h>
#include "ConvKitKernels.h"

void ck_f32_pack_a(size_t mc, size_t kc, const float *a, size_t rs, size_t cs, size_t mr,
                   float *out) {
    for (size_t i0 = 0; i0 < mc; i0 += mr) {
        const size_t rows = mc - i0 < mr ? mc - i0 : mr;
        const float *src = a + i0 * rs;
        if (cs == 1) {
            // op(A) rows are contiguous in p: read each row sequentially, write with stride mr.
            for (size_t i = 0; i < rows; i++) {
                const float *row = src + i * rs;
                float *dst = out + i;
                for (size_t p = 0; p < kc; p++) dst[p * mr] = row[p];
            }
        } else if (rs == 1) {
            // op(A) columns are contiguous: one run of `rows` values per p.
            for (size_t p = 0; p < kc; p++) memcpy(out + p * mr, src + p * cs, rows * sizeof(float));
        } else {
            for (size_t p = 0; p < kc; p++)
                for (size_t i = 0; i < rows; i++) out[p * mr + i] = src[i * rs + p * cs];
        }
        if (rows < mr) {
            for (size_t p = 0; p < kc; p++)
                memset(out + p * mr + rows, 0, (mr - rows) * sizeof(float));
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
            // op(B) rows are contiguous: one run of `cols` values per p.
            if (cols == nr && nr == 32) {
                for (size_t p = 0; p < kc; p++) memcpy(out + p * 32, src + p * rs, 32 * sizeof(float));
            } else if (cols == nr && nr == 16) {
                for (size_t p = 0; p < kc; p++) memcpy(out + p * 16, src + p * rs, 16 * sizeof(float));
            } else {
                for (size_t p = 0; p < kc; p++) memcpy(out + p * nr, src + p * rs, cols * sizeof(float));
            }
        } else if (rs == 1) {
            // op(B) columns are contiguous in p: read each column sequentially, write with stride nr.
            for (size_t j = 0; j < cols; j++) {
                const float *col = src + j * cs;
                float *dst = out + j;
                for (size_t p = 0; p < kc; p++) dst[p * nr] = col[p];
            }
        } else {
            for (size_t p = 0; p < kc; p++)
                for (size_t j = 0; j < cols; j++) out[p * nr + j] = src[p * rs + j * cs];
        }
        if (cols < nr) {
            for (size_t p = 0; p < kc; p++)
                memset(out + p * nr + cols, 0, (nr - cols) * sizeof(float));
        }
        out += nr * kc;
    }
}
