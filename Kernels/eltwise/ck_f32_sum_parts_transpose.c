// Ordered sums of partial buffers and layout transposes (portable C; the compiler vectorises these
// loops). The per-ISA elementwise kernels are in ck_eltwise_template.h. Contracts: ConvKitKernels.h.
#include "ConvKitKernels.h"

void ck_f32_sum_parts(size_t count, size_t parts, size_t part_stride, const float *src, float *dst) {
    for (size_t i = 0; i < count; i++) dst[i] = src[i];
    for (size_t s = 1; s < parts; s++) {
        const float *part = src + s * part_stride;
        for (size_t i = 0; i < count; i++) dst[i] += part[i];
    }
}

void ck_f32_transpose(size_t rows, size_t cols, const float *src, size_t lds, float *dst, size_t ldd) {
    ck_x32_transpose(rows, cols, (const uint32_t *)(const void *)src, lds, (uint32_t *)(void *)dst, ldd);
}

void ck_x32_transpose(size_t rows, size_t cols, const uint32_t *src, size_t lds, uint32_t *dst, size_t ldd) {
    // 8 x 8 blocks keep both sides within a few cache lines.
    for (size_t i0 = 0; i0 < rows; i0 += 8) {
        const size_t i1 = i0 + 8 < rows ? i0 + 8 : rows;
        for (size_t j0 = 0; j0 < cols; j0 += 8) {
            const size_t j1 = j0 + 8 < cols ? j0 + 8 : cols;
            for (size_t i = i0; i < i1; i++) {
                for (size_t j = j0; j < j1; j++) dst[j * ldd + i] = src[i * lds + j];
            }
        }
    }
}
