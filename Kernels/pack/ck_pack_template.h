// Packing of A and B blocks into microkernel panels, written once in C (see ConvKitKernels.h)
// and compiled per instruction set by the files that include this header: f32_pack.c (portable,
// 4 x 4 transposes on 128-bit vectors) and ck_f32_pack__avx2.c (8 x 8 transposes on 256-bit AVX
// registers, used by the AVX2 and AVX-512 kernels). Private to ConvKitKernels.
//
// An including file defines CK_PACK_TARGET (a function attribute, may be empty),
// CK_PACK_NAME(op) (the function name for op, e.g. ck_f32_pack_a__avx2) and
// CK_PACK_WIDE_TRANSPOSE (1 for the 8 x 8 transposes, 0 otherwise).
//
// The transposing cases (a panel's rows are strided in memory) read 16 consecutive floats (one
// cache line) of each source row at a time: rows a large power-of-two stride apart map to the
// same cache set, and reading them one float at a time would evict lines before they are used.
#include <string.h>
#include "ConvKitKernels.h"
#include "../common/ck_v4f.h"

enum { CK_PACK_BLOCK = 16, CK_PACK_AHEAD = 4 };

// Transposes the 4 x 4 block src[r * src_stride + q] (r, q < 4) into dst[q * dst_stride + r].
static inline __attribute__((always_inline)) void ck_transpose_4x4(const float *src, size_t src_stride,
                                                                   float *dst, size_t dst_stride) {
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

#if CK_PACK_WIDE_TRANSPOSE
#include <immintrin.h>
// Transposes the 8 x 8 block src[r * src_stride + q] (r, q < 8) into dst[q * dst_stride + r]:
// each half of four columns is loaded as 128-bit row pieces paired into 256-bit registers (rows
// r and r + 4), then transposed within the 128-bit lanes; 16 shuffles per 64 floats, half the
// 4 x 4 transposes' count.
static inline __attribute__((always_inline)) CK_PACK_TARGET void
ck_transpose_8x8(const float *src, size_t src_stride, float *dst, size_t dst_stride) {
    for (int half = 0; half < 2; half++) {
        const float *s = src + 4 * half;
        const __m256 t0 = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(s)),
                                               _mm_loadu_ps(s + 4 * src_stride), 1);
        const __m256 t1 = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(s + src_stride)),
                                               _mm_loadu_ps(s + 5 * src_stride), 1);
        const __m256 t2 = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(s + 2 * src_stride)),
                                               _mm_loadu_ps(s + 6 * src_stride), 1);
        const __m256 t3 = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(s + 3 * src_stride)),
                                               _mm_loadu_ps(s + 7 * src_stride), 1);
        const __m256 u0 = _mm256_unpacklo_ps(t0, t1), u1 = _mm256_unpackhi_ps(t0, t1);
        const __m256 u2 = _mm256_unpacklo_ps(t2, t3), u3 = _mm256_unpackhi_ps(t2, t3);
        float *d = dst + 4 * half * dst_stride;
        _mm256_storeu_ps(d, _mm256_shuffle_ps(u0, u2, 0x44));
        _mm256_storeu_ps(d + dst_stride, _mm256_shuffle_ps(u0, u2, 0xEE));
        _mm256_storeu_ps(d + 2 * dst_stride, _mm256_shuffle_ps(u1, u3, 0x44));
        _mm256_storeu_ps(d + 3 * dst_stride, _mm256_shuffle_ps(u1, u3, 0xEE));
    }
}
#endif

// Source rows s[i * src_stride], i < g (4, or 8 in the wide build; a constant after inlining),
// transposed over the whole depth into d[p * dst_stride + i]: g sequential streams through g x g
// register transposes, while the g rows at next are prefetched line by line.
static inline __attribute__((always_inline)) CK_PACK_TARGET void
ck_transpose_group(const float *s, size_t src_stride, float *d, size_t dst_stride, size_t depth,
                   const float *next, const int g) {
    size_t p = 0;
    for (; p + CK_PACK_BLOCK <= depth; p += CK_PACK_BLOCK) {
        for (int i = 0; i < g; i++) __builtin_prefetch(next + i * src_stride + p);
        for (size_t q = p; q < p + CK_PACK_BLOCK; q += (size_t)g) {
#if CK_PACK_WIDE_TRANSPOSE
            if (g == 8) {
                ck_transpose_8x8(s + q, src_stride, d + q * dst_stride, dst_stride);
                continue;
            }
#endif
            ck_transpose_4x4(s + q, src_stride, d + q * dst_stride, dst_stride);
        }
    }
    for (; p < depth; p++)
        for (int i = 0; i < g; i++) d[p * dst_stride + i] = s[i * src_stride + p];
}

// dst[p * dst_stride + r] = src[r * src_stride + p] for r < rows, p < depth: eight rows at a time
// in the wide build, then four at a time, then two, then one.
static inline __attribute__((always_inline)) CK_PACK_TARGET void
ck_transpose_panel(size_t rows, size_t depth, const float *src, size_t src_stride, float *dst,
                   size_t dst_stride) {
    size_t r = 0;
#if CK_PACK_WIDE_TRANSPOSE
    for (; r + 8 <= rows; r += 8) {
        const float *s = src + r * src_stride;
        ck_transpose_group(s, src_stride, dst + r, dst_stride, depth, r + 16 <= rows ? s + 8 * src_stride : s,
                           8);
    }
#endif
    for (; r + 4 <= rows; r += 4) {
        const float *s = src + r * src_stride;
        ck_transpose_group(s, src_stride, dst + r, dst_stride, depth, r + 8 <= rows ? s + 4 * src_stride : s,
                           4);
    }
    if (r + 2 <= rows) {
        // Two rows: four depths at a time, interleaved into four (row r, row r + 1) pairs.
        const float *s0 = src + r * src_stride, *s1 = s0 + src_stride;
        float *d = dst + r;
        size_t p = 0;
        for (; p + 4 <= depth; p += 4) {
            const ck_v4f a = ck_load_v4f(s0 + p), b = ck_load_v4f(s1 + p);
            const ck_v4f lo = __builtin_shufflevector(a, b, 0, 4, 1, 5),
                         hi = __builtin_shufflevector(a, b, 2, 6, 3, 7);
            memcpy(d + p * dst_stride, &lo, 2 * sizeof(float));
            memcpy(d + (p + 1) * dst_stride, (const float *)&lo + 2, 2 * sizeof(float));
            memcpy(d + (p + 2) * dst_stride, &hi, 2 * sizeof(float));
            memcpy(d + (p + 3) * dst_stride, (const float *)&hi + 2, 2 * sizeof(float));
        }
        for (; p < depth; p++) {
            d[p * dst_stride] = s0[p];
            d[p * dst_stride + 1] = s1[p];
        }
        r += 2;
    }
    for (; r < rows; r++) {
        const float *s = src + r * src_stride;
        for (size_t p = 0; p < depth; p++) dst[p * dst_stride + r] = s[p];
    }
}

// dst[p * width + c] = src[p * src_stride + c] for c < cols, zero for cols <= c < width.
static inline __attribute__((always_inline)) void ck_copy_rows_padded(size_t depth, size_t cols, size_t width,
                                                                      const float *src, size_t src_stride,
                                                                      float *dst) {
    for (size_t p = 0; p < depth; p++) {
        memcpy(dst + p * width, src + p * src_stride, cols * sizeof(float));
        if (cols < width) memset(dst + p * width + cols, 0, (width - cols) * sizeof(float));
    }
}

CK_PACK_TARGET
void CK_PACK_NAME(pack_a)(size_t mc, size_t kc, const float *a, size_t rs, size_t cs, size_t mr, float *out) {
    for (size_t i0 = 0; i0 < mc; i0 += mr) {
        const size_t rows = mc - i0 < mr ? mc - i0 : mr;
        const float *src = a + i0 * rs;
        if (cs == 1) {
            if (rows < mr) memset(out, 0, mr * kc * sizeof(float));
            ck_transpose_panel(rows, kc, src, rs, out, mr);
        } else { // rs == 1
            ck_copy_rows_padded(kc, rows, mr, src, cs, out);
        }
        out += mr * kc;
    }
}

CK_PACK_TARGET
void CK_PACK_NAME(pack_b)(size_t kc, size_t nc, const float *b, size_t rs, size_t cs, size_t nr, float *out) {
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
        ck_transpose_panel(cols, kc, src, cs, out, nr);
        out += nr * kc;
    }
}
