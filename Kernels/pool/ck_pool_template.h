// Max and average pooling over NHWC images, written once in portable C with 16-float vectors and
// compiled per ISA by the files that include this header (ck_f32_pool__avx512.c, __avx2.c,
// __generic.c). Private to ConvKitKernels; the contracts are in ConvKitKernels.h
// (CK_POOL_KERNELS).
//
// An including file defines CK_POOL_TARGET (a function attribute, may be empty) and
// CK_POOL_NAME(op) (the function name for op, e.g. ck_f32_maxpool_nhwc__avx512).
#include <stdint.h>
#include <string.h>
#include "ConvKitKernels.h"

static inline __attribute__((always_inline)) size_t ck_max_z(ptrdiff_t a) { return a < 0 ? 0 : (size_t)a; }

// Streaming (non-temporal) stores of the max pooling backward pass: 16 floats from src to dst (16-byte
// aligned: Swift arrays are), four SSE stores; the write-combining buffers gather whole lines
// whatever the store width. Other architectures store plainly.
#if defined(__x86_64__)
#include <immintrin.h>
#define CK_POOL_STREAM16(dst, src)                                                               \
    (_mm_stream_ps((dst), _mm_loadu_ps(src)), _mm_stream_ps((dst) + 4, _mm_loadu_ps((src) + 4)), \
     _mm_stream_ps((dst) + 8, _mm_loadu_ps((src) + 8)), _mm_stream_ps((dst) + 12, _mm_loadu_ps((src) + 12)))
#define CK_POOL_STREAM_FENCE() _mm_sfence()
#define CK_POOL_STREAM_ALIGN   16
#else
#define CK_POOL_STREAM16(dst, src) memcpy((dst), (src), 16 * sizeof(float))
#define CK_POOL_STREAM_FENCE()     ((void)0)
#define CK_POOL_STREAM_ALIGN       4
#endif

static inline __attribute__((always_inline)) int ck_pool_can_stream(const float *din, size_t c) {
    return c % 16 == 0 && ((uintptr_t)din % CK_POOL_STREAM_ALIGN) == 0;
}

// 16-channel vectors: one zmm under AVX-512 (the including file sets min_vector_width(512)), two
// ymm under AVX2, four SSE2/NEON registers in the portable build. Loads and stores go through
// memcpy (no alignment needed). The helpers pass these vectors by value; they are always inlined,
// so no call crosses an ABI boundary and clang's -Wpsabi note (for the AVX2 and portable builds)
// does not apply.
#pragma clang diagnostic ignored "-Wpsabi"
typedef float ck_p16f __attribute__((vector_size(64)));
typedef int32_t ck_p16i __attribute__((vector_size(64)));
#define CK_POOL_INLINE static inline __attribute__((always_inline)) CK_POOL_TARGET

CK_POOL_INLINE ck_p16f ck_ld16(const float *p) {
    ck_p16f v;
    memcpy(&v, p, sizeof v);
    return v;
}
CK_POOL_INLINE ck_p16i ck_ld16i(const int32_t *p) {
    ck_p16i v;
    memcpy(&v, p, sizeof v);
    return v;
}
CK_POOL_INLINE void ck_st16(float *p, ck_p16f v) { memcpy(p, &v, sizeof v); }
CK_POOL_INLINE void ck_st16i(int32_t *p, ck_p16i v) { memcpy(p, &v, sizeof v); }
CK_POOL_INLINE ck_p16f ck_splat16(float x) { return (ck_p16f){ 0 } + x; }
CK_POOL_INLINE ck_p16i ck_splat16i(int32_t x) { return (ck_p16i){ 0 } + x; }
// Lanes of a where m is all ones, of b where it is zero.
CK_POOL_INLINE ck_p16f ck_select16(ck_p16i m, ck_p16f a, ck_p16f b) {
    return (ck_p16f)(((ck_p16i)a & m) | ((ck_p16i)b & ~m));
}
// The sum of -m over the lanes (m's lanes are 0 or -1: the number of all-ones lanes, or of
// matches accumulated by adding masks).
CK_POOL_INLINE size_t ck_count16(ck_p16i m) {
    int64_t s = 0;
    for (int j = 0; j < 16; j++) s -= m[j];
    return (size_t)s;
}
// Stores 16 floats, streaming them past the caches when stream is set (p is then
// CK_POOL_STREAM_ALIGN-aligned: ck_pool_can_stream).
CK_POOL_INLINE void ck_put16(float *p, ck_p16f v, int stream) {
    if (stream) {
        float t[16];
        memcpy(t, &v, sizeof t);
        CK_POOL_STREAM16(p, t);
    } else {
        ck_st16(p, v);
    }
}
// Zeroes n floats (a multiple of 16 when stream is set).
CK_POOL_INLINE void ck_zero(float *p, size_t n, int stream) {
    if (!stream) {
        memset(p, 0, n * sizeof(float));
        return;
    }
    for (size_t i = 0; i < n; i += 16) ck_put16(p + i, ck_splat16(0.0f), 1);
}

// The channels are processed in groups of nb (4, 2 or 1: a constant after inlining) blocks of 16.
// Each block is a chain of dependent operations across the window's taps (forward) or the
// windows over an element (backward); a group keeps nb chains in flight, so the loop runs at the
// machine's throughput rather than at the latency of one chain. CK_BLOCK_GROUPS(GROUP) runs
// GROUP(nb) for the groups of 64, 32 and 16 channels from the caller's ch0 (0) up and leaves
// ch0 at the first of the c % 16 channels left, which the caller finishes one at a time.
#define CK_BLOCK_GROUPS(GROUP)                 \
    for (; ch0 + 64 <= c; ch0 += 64) GROUP(4); \
    if (ch0 + 32 <= c) {                       \
        GROUP(2);                              \
        ch0 += 32;                             \
    }                                          \
    if (ch0 + 16 <= c) {                       \
        GROUP(1);                              \
        ch0 += 16;                             \
    }

// Max pooling forward of one window (rows [ys, ye), columns [xs, xe)) over nb blocks; in, o and
// idx (may be NULL) start at the group's first channel. The first tap initialises; a later tap
// replaces the maximum when it is greater or NaN (PyTorch's rule: NaN propagates; ties keep the
// first element).
CK_POOL_INLINE void ck_max_blocks(const float *restrict in, size_t w, size_t c, size_t ys, size_t ye,
                                  size_t xs, size_t xe, float *restrict o, int32_t *restrict idx,
                                  const int nb) {
    ck_p16f best[4];
    ck_p16i at[4];
    const float *first = in + (ys * w + xs) * c;
    for (int b = 0; b < nb; b++) {
        best[b] = ck_ld16(first + 16 * b);
        at[b] = ck_splat16i((int32_t)(ys * w + xs));
    }
    for (size_t y = ys; y < ye; y++) {
        for (size_t x = (y == ys ? xs + 1 : xs); x < xe; x++) {
            const float *v = in + (y * w + x) * c;
            const int32_t i = (int32_t)(y * w + x);
            for (int b = 0; b < nb; b++) {
                const ck_p16f vb = ck_ld16(v + 16 * b);
                const ck_p16i take = (vb > best[b]) | (vb != vb);
                best[b] = ck_select16(take, vb, best[b]);
                at[b] = (take & i) | (at[b] & ~take);
            }
        }
    }
    for (int b = 0; b < nb; b++) {
        ck_st16(o + 16 * b, best[b]);
        if (idx) ck_st16i(idx + 16 * b, at[b]);
    }
}

CK_POOL_TARGET
void CK_POOL_NAME(maxpool_nhwc)(const float *in, size_t h, size_t w, size_t c, size_t oh0, size_t oh1,
                                size_t ow, size_t kh, size_t kw, size_t sy, size_t sx, ptrdiff_t pad_top,
                                ptrdiff_t pad_left, float *out, int32_t *indices) {
    for (size_t oy = oh0; oy < oh1; oy++) {
        const ptrdiff_t y0 = (ptrdiff_t)(oy * sy) - pad_top;
        const size_t ys = ck_max_z(y0),
                     ye = (size_t)(y0 + (ptrdiff_t)kh) < h ? (size_t)(y0 + (ptrdiff_t)kh) : h;
        for (size_t ox = 0; ox < ow; ox++) {
            const ptrdiff_t x0 = (ptrdiff_t)(ox * sx) - pad_left;
            const size_t xs = ck_max_z(x0),
                         xe = (size_t)(x0 + (ptrdiff_t)kw) < w ? (size_t)(x0 + (ptrdiff_t)kw) : w;
            float *restrict o = out + (oy * ow + ox) * c;
            int32_t *restrict idx = indices ? indices + (oy * ow + ox) * c : NULL;
            size_t ch0 = 0;
#define CK_MAX_GROUP(nb) ck_max_blocks(in + ch0, w, c, ys, ye, xs, xe, o + ch0, idx ? idx + ch0 : NULL, nb)
            CK_BLOCK_GROUPS(CK_MAX_GROUP)
#undef CK_MAX_GROUP
            // The channels after the last 16-channel block: taps outer, channels inner, with
            // selects instead of branches (the same comparisons per channel, in the same tap order).
            if (ch0 < c) {
                const float *first = in + (ys * w + xs) * c;
                for (size_t ch = ch0; ch < c; ch++) o[ch] = first[ch];
                if (idx) {
                    for (size_t ch = ch0; ch < c; ch++) idx[ch] = (int32_t)(ys * w + xs);
                }
                for (size_t y = ys; y < ye; y++) {
                    for (size_t x = (y == ys ? xs + 1 : xs); x < xe; x++) {
                        const float *p = in + (y * w + x) * c;
                        const int32_t at = (int32_t)(y * w + x);
                        // Two loops rather than a test per element: the stores stay plain (no masked stores).
                        if (idx) {
                            for (size_t ch = ch0; ch < c; ch++) {
                                const float v = p[ch];
                                const int take = v > o[ch] || v != v;
                                o[ch] = take ? v : o[ch];
                                idx[ch] = take ? at : idx[ch];
                            }
                        } else {
                            for (size_t ch = ch0; ch < c; ch++) {
                                const float v = p[ch];
                                o[ch] = v > o[ch] || v != v ? v : o[ch];
                            }
                        }
                    }
                }
            }
        }
    }
}

// The outputs whose windows contain input position i along one axis form the range [lo, hi]
// (empty when hi < lo). ck_window_cover advances both ends for position i, which callers visit
// in ascending order: no division per element.
typedef struct {
    ptrdiff_t lo, hi;
} ck_cover;

static inline __attribute__((always_inline)) void ck_window_cover(ck_cover *r, ptrdiff_t i, ptrdiff_t count,
                                                                  ptrdiff_t k, ptrdiff_t s, ptrdiff_t pad) {
    while (r->hi + 1 < count && (r->hi + 1) * s - pad <= i) r->hi++;
    while (r->lo < count && r->lo * s - pad + k <= i) r->lo++;
}

static inline __attribute__((always_inline)) ck_cover
ck_cover_start(ptrdiff_t i, ptrdiff_t count, ptrdiff_t k, ptrdiff_t s, ptrdiff_t pad) {
    // lo: the first window ending after i; hi: the last starting at or before i.
    ptrdiff_t lo = i + pad - k + 1 <= 0 ? 0 : (i + pad - k + 1 + s - 1) / s;
    ptrdiff_t hi = i + pad < 0 ? -1 : (i + pad) / s;
    if (hi > count - 1) hi = count - 1;
    ck_cover r = { lo, hi };
    return r;
}

// CK_FOR_EACH_COVERED_ROW runs its statements for every input row y of [y0, y1), with ry the
// range of output rows whose windows contain it; inside them, CK_FOR_EACH_COVERED_COLUMN runs its
// statements for every x of [0, w), with rx the range of output columns whose windows contain
// it. They use the variables y0, y1, w, oh, ow, kh, kw, sy, sx, pad_top, pad_left of the
// enclosing kernel.
#define CK_FOR_EACH_COVERED_ROW(...)                                                            \
    for (size_t y = y0; y < y1; y++) {                                                          \
        const ck_cover ry =                                                                     \
            ck_cover_start((ptrdiff_t)y, (ptrdiff_t)oh, (ptrdiff_t)kh, (ptrdiff_t)sy, pad_top); \
        __VA_ARGS__                                                                             \
    }
#define CK_FOR_EACH_COVERED_COLUMN(...)                                                                \
    {                                                                                                  \
        ck_cover rx = { 0, -1 };                                                                       \
        for (size_t x = 0; x < w; x++) {                                                               \
            ck_window_cover(&rx, (ptrdiff_t)x, (ptrdiff_t)ow, (ptrdiff_t)kw, (ptrdiff_t)sx, pad_left); \
            __VA_ARGS__                                                                                \
        }                                                                                              \
    }

// The backward passes list the windows over an element (their output offsets, in ascending
// output order) before its channel loop when there are at most this many; an element in more
// windows (large, overlapping windows) visits them window by window for each block of channels.
#define CK_POOL_LISTED 16

// The number of windows ry x rx.
CK_POOL_INLINE size_t ck_window_count(ck_cover ry, ck_cover rx) {
    return ry.hi < ry.lo || rx.hi < rx.lo ? 0 : (size_t)(ry.hi - ry.lo + 1) * (size_t)(rx.hi - rx.lo + 1);
}

// Max pooling backward of one element over nb blocks: d := the sum from 0, over the n windows at
// offset[k] (dout and indices start at the group's first channel), of the gradients whose index
// is i; hits accumulates the matches (as -1 per match).
CK_POOL_INLINE void ck_max_grad_blocks(const float *restrict dout, const int32_t *restrict indices,
                                       const size_t *offset, size_t n, int32_t i, float *restrict d,
                                       ck_p16i *hits, int stream, const int nb) {
    ck_p16f acc[4];
    for (int b = 0; b < nb; b++) acc[b] = ck_splat16(0.0f);
    for (size_t k = 0; k < n; k++) {
        const float *g = dout + offset[k];
        const int32_t *ix = indices + offset[k];
        for (int b = 0; b < nb; b++) {
            const ck_p16i m = ck_ld16i(ix + 16 * b) == i;
            *hits += m;
            acc[b] += (ck_p16f)((ck_p16i)ck_ld16(g + 16 * b) & m);
        }
    }
    for (int b = 0; b < nb; b++) ck_put16(d + 16 * b, acc[b], stream);
}

// Max pooling backward of one input row where the windows tile the rows (each element lies in one
// window at most): d[(ox * kw + kx) * c + ch] := g[ox * c + ch] where idx[ox * c + ch] is
// row + ox * kw + kx, else 0, for ox < ow, kx < kw; g and idx are the gradients and indices of the
// row's output row. Returns the number of matches. One 16-channel block at a time: the loop is
// short enough that clang keeps every pointer and count in a register.
CK_POOL_INLINE size_t ck_max_grad_tiled_row(const float *restrict g, const int32_t *restrict idx, size_t ow,
                                            size_t kw, size_t c, int32_t row, float *restrict d,
                                            const int stream) {
    const size_t full = c / 16 * 16;
    ck_p16i hits = ck_splat16i(0); // per lane at most ow * kw * c / 16 matches: no overflow
    size_t matches = 0;
    for (size_t ox = 0; ox < ow; ox++, g += c, idx += c) {
        for (size_t kx = 0; kx < kw; kx++, d += c) {
            const int32_t want = row + (int32_t)(ox * kw + kx);
            for (size_t ch = 0; ch < full; ch += 16) {
                const ck_p16i m = ck_ld16i(idx + ch) == want;
                hits += m;
                // + 0: -0 becomes +0, as in a scatter onto 0.
                ck_put16(d + ch, (ck_p16f)((ck_p16i)ck_ld16(g + ch) & m) + 0.0f, stream);
            }
            for (size_t ch = full; ch < c; ch++) {
                matches += idx[ch] == want;
                d[ch] = (idx[ch] == want ? g[ch] : 0.0f) + 0.0f;
            }
        }
    }
    return matches + ck_count16(hits);
}

// The group calls of the backward passes' element loops (macros defined here, not inside the
// CK_FOR_EACH_COVERED_* arguments, where a directive cannot stand).
#define CK_MAX_GRAD_GROUP(nb) \
    ck_max_grad_blocks(dout + ch0, indices + ch0, offset, n, i, d + ch0, &hits, stream, nb)
#define CK_AVG_GRAD_GROUP(nb) ck_avg_grad_blocks(dout + ch0, offset, scale, n, d + ch0, nb)

// The body of maxpool_backward_nhwc, compiled once with streaming stores and once without
// (stream is a constant after inlining: no flag to test per store).
CK_POOL_INLINE size_t ck_maxpool_backward(const float *dout, const int32_t *indices, size_t oh, size_t ow,
                                          size_t c, float *din, size_t w, size_t y0, size_t y1, size_t kh,
                                          size_t kw, size_t sy, size_t sx, ptrdiff_t pad_top,
                                          ptrdiff_t pad_left, const int stream) {
    size_t matches = 0;
    if (sy == kh && sx == kw && pad_top == 0 && pad_left == 0 && ow * kw <= w) {
        // Windows tile the input: each input row meets one row of windows, each element at most
        // one window.
        for (size_t y = y0; y < y1; y++) {
            float *restrict drow = din + y * w * c;
            const size_t oy = y / kh;
            size_t covered = 0;
            if (oy < oh) {
                matches += ck_max_grad_tiled_row(dout + oy * ow * c, indices + oy * ow * c, ow, kw, c,
                                                 (int32_t)(y * w), drow, stream);
                covered = ow * kw;
            }
            ck_zero(drow + covered * c, (w - covered) * c, stream);
        }
    } else {
        CK_FOR_EACH_COVERED_ROW({
            // Per lane at most (windows meeting the row) * c / 16 matches.
            ck_p16i hits = ck_splat16i(0);
            CK_FOR_EACH_COVERED_COLUMN({
                float *restrict d = din + (y * w + x) * c;
                const int32_t i = (int32_t)(y * w + x);
                const size_t windows = ck_window_count(ry, rx);
                size_t ch0 = 0;
                // Windows in ascending output order, as a scatter over the outputs would add them.
                if (windows <= CK_POOL_LISTED) {
                    size_t offset[CK_POOL_LISTED], n = 0;
                    for (ptrdiff_t oy = ry.lo; oy <= ry.hi; oy++) {
                        for (ptrdiff_t ox = rx.lo; ox <= rx.hi; ox++)
                            offset[n++] = ((size_t)oy * ow + (size_t)ox) * c;
                    }
                    CK_BLOCK_GROUPS(CK_MAX_GRAD_GROUP)
                } else {
                    for (; ch0 + 16 <= c; ch0 += 16) {
                        ck_p16f acc = ck_splat16(0.0f);
                        for (ptrdiff_t oy = ry.lo; oy <= ry.hi; oy++) {
                            for (ptrdiff_t ox = rx.lo; ox <= rx.hi; ox++) {
                                const size_t p = ((size_t)oy * ow + (size_t)ox) * c + ch0;
                                const ck_p16i m = ck_ld16i(indices + p) == i;
                                hits += m;
                                acc += (ck_p16f)((ck_p16i)ck_ld16(dout + p) & m);
                            }
                        }
                        ck_put16(d + ch0, acc, stream);
                    }
                }
                for (size_t ch = ch0; ch < c; ch++) {
                    float acc = 0.0f;
                    for (ptrdiff_t oy = ry.lo; oy <= ry.hi; oy++) {
                        for (ptrdiff_t ox = rx.lo; ox <= rx.hi; ox++) {
                            const size_t p = ((size_t)oy * ow + (size_t)ox) * c + ch;
                            matches += indices[p] == i;
                            acc += indices[p] == i ? dout[p] : 0.0f;
                        }
                    }
                    d[ch] = acc;
                }
            });
            matches += ck_count16(hits);
        });
    }
    if (stream) CK_POOL_STREAM_FENCE();
    return matches;
}

CK_POOL_TARGET
size_t CK_POOL_NAME(maxpool_backward_nhwc)(const float *dout, const int32_t *indices, size_t oh, size_t ow,
                                           size_t c, float *din, size_t h, size_t w, size_t y0, size_t y1,
                                           size_t kh, size_t kw, size_t sy, size_t sx, ptrdiff_t pad_top,
                                           ptrdiff_t pad_left, int streaming) {
    (void)h;
    if (streaming && ck_pool_can_stream(din, c))
        return ck_maxpool_backward(dout, indices, oh, ow, c, din, w, y0, y1, kh, kw, sy, sx, pad_top,
                                   pad_left, 1);
    return ck_maxpool_backward(dout, indices, oh, ow, c, din, w, y0, y1, kh, kw, sy, sx, pad_top, pad_left,
                               0);
}

// The extent of output o's window along one axis of n input elements that counts towards the
// divisor (PyTorch's rule: with padding included, the window clipped to the padded input;
// without, clipped to the input). The divisor is the product of the two axes' extents.
CK_POOL_INLINE size_t ck_avg_extent(size_t o, size_t s, size_t k, ptrdiff_t pad_lo, ptrdiff_t pad_hi,
                                    size_t n, int include_pad) {
    const ptrdiff_t a = (ptrdiff_t)(o * s) - pad_lo, b = a + (ptrdiff_t)k;
    if (include_pad) {
        const ptrdiff_t lim = (ptrdiff_t)n + pad_hi;
        return (size_t)((b < lim ? b : lim) - a);
    }
    return (size_t)((b < (ptrdiff_t)n ? b : (ptrdiff_t)n) - (a < 0 ? 0 : a));
}

// 1 / divisor; interior is 1 / full (full = kh * kw), the value of every window the edges leave whole.
CK_POOL_INLINE float ck_avg_scale(size_t area, size_t full, float interior) {
    return area == full ? interior : 1.0f / (float)area;
}

// Average pooling forward of one window over nb blocks: o := the sum from 0 in row-major tap
// order, times scale; in and o start at the group's first channel.
CK_POOL_INLINE void ck_avg_blocks(const float *restrict in, size_t w, size_t c, size_t ys, size_t ye,
                                  size_t xs, size_t xe, float scale, float *restrict o, const int nb) {
    ck_p16f acc[4];
    for (int b = 0; b < nb; b++) acc[b] = ck_splat16(0.0f);
    for (size_t y = ys; y < ye; y++) {
        for (size_t x = xs; x < xe; x++) {
            const float *v = in + (y * w + x) * c;
            for (int b = 0; b < nb; b++) acc[b] += ck_ld16(v + 16 * b);
        }
    }
    for (int b = 0; b < nb; b++) ck_st16(o + 16 * b, acc[b] * scale);
}

CK_POOL_TARGET
void CK_POOL_NAME(avgpool_nhwc)(const float *in, size_t h, size_t w, size_t c, size_t oh0, size_t oh1,
                                size_t ow, size_t kh, size_t kw, size_t sy, size_t sx, ptrdiff_t pad_top,
                                ptrdiff_t pad_left, ptrdiff_t pad_bottom, ptrdiff_t pad_right,
                                int include_pad, float *out) {
    const float interior = 1.0f / (float)(kh * kw);
    for (size_t oy = oh0; oy < oh1; oy++) {
        const ptrdiff_t y0 = (ptrdiff_t)(oy * sy) - pad_top;
        const size_t ys = ck_max_z(y0),
                     ye = (size_t)(y0 + (ptrdiff_t)kh) < h ? (size_t)(y0 + (ptrdiff_t)kh) : h;
        const size_t ey = ck_avg_extent(oy, sy, kh, pad_top, pad_bottom, h, include_pad);
        for (size_t ox = 0; ox < ow; ox++) {
            const ptrdiff_t x0 = (ptrdiff_t)(ox * sx) - pad_left;
            const size_t xs = ck_max_z(x0),
                         xe = (size_t)(x0 + (ptrdiff_t)kw) < w ? (size_t)(x0 + (ptrdiff_t)kw) : w;
            const float scale = ck_avg_scale(
                ey * ck_avg_extent(ox, sx, kw, pad_left, pad_right, w, include_pad), kh * kw, interior);
            float *restrict o = out + (oy * ow + ox) * c;
            size_t ch0 = 0;
#define CK_AVG_GROUP(nb) ck_avg_blocks(in + ch0, w, c, ys, ye, xs, xe, scale, o + ch0, nb)
            CK_BLOCK_GROUPS(CK_AVG_GROUP)
#undef CK_AVG_GROUP
            for (size_t ch = ch0; ch < c; ch++) {
                float acc = 0.0f;
                for (size_t y = ys; y < ye; y++) {
                    for (size_t x = xs; x < xe; x++) acc += in[(y * w + x) * c + ch];
                }
                o[ch] = acc * scale;
            }
        }
    }
}

// Average pooling backward of one element over nb blocks: d := the sum from 0, over the n
// windows at offset[k] (dout starts at the group's first channel), of the gradient times scale[k].
CK_POOL_INLINE void ck_avg_grad_blocks(const float *restrict dout, const size_t *offset, const float *scale,
                                       size_t n, float *restrict d, const int nb) {
    ck_p16f acc[4];
    for (int b = 0; b < nb; b++) acc[b] = ck_splat16(0.0f);
    for (size_t k = 0; k < n; k++) {
        const float *g = dout + offset[k];
        for (int b = 0; b < nb; b++) acc[b] += ck_ld16(g + 16 * b) * scale[k];
    }
    for (int b = 0; b < nb; b++) ck_st16(d + 16 * b, acc[b]);
}

CK_POOL_TARGET
void CK_POOL_NAME(avgpool_backward_nhwc)(const float *dout, size_t oh, size_t ow, size_t c, float *din,
                                         size_t h, size_t w, size_t y0, size_t y1, size_t kh, size_t kw,
                                         size_t sy, size_t sx, ptrdiff_t pad_top, ptrdiff_t pad_left,
                                         ptrdiff_t pad_bottom, ptrdiff_t pad_right, int include_pad) {
    const size_t full = kh * kw;
    const float interior = 1.0f / (float)full;
    // Each element: the sum from 0, over its windows in ascending output order, of the window's
    // gradient times 1 / divisor.
    CK_FOR_EACH_COVERED_ROW({
        CK_FOR_EACH_COVERED_COLUMN({
            float *restrict d = din + (y * w + x) * c;
            size_t ch0 = 0;
            if (ck_window_count(ry, rx) <= CK_POOL_LISTED) {
                size_t offset[CK_POOL_LISTED], n = 0;
                float scale[CK_POOL_LISTED];
                for (ptrdiff_t oy = ry.lo; oy <= ry.hi; oy++) {
                    const size_t ey = ck_avg_extent((size_t)oy, sy, kh, pad_top, pad_bottom, h, include_pad);
                    for (ptrdiff_t ox = rx.lo; ox <= rx.hi; ox++, n++) {
                        offset[n] = ((size_t)oy * ow + (size_t)ox) * c;
                        scale[n] = ck_avg_scale(
                            ey * ck_avg_extent((size_t)ox, sx, kw, pad_left, pad_right, w, include_pad), full,
                            interior);
                    }
                }
                CK_BLOCK_GROUPS(CK_AVG_GRAD_GROUP)
                for (size_t ch = ch0; ch < c; ch++) {
                    float acc = 0.0f;
                    for (size_t k = 0; k < n; k++) acc += dout[offset[k] + ch] * scale[k];
                    d[ch] = acc;
                }
                continue;
            }
            for (; ch0 < c; ch0 += 16) {
                const size_t lanes = c - ch0 < 16 ? c - ch0 : 16;
                float acc[16] = { 0 };
                for (ptrdiff_t oy = ry.lo; oy <= ry.hi; oy++) {
                    const size_t ey = ck_avg_extent((size_t)oy, sy, kh, pad_top, pad_bottom, h, include_pad);
                    for (ptrdiff_t ox = rx.lo; ox <= rx.hi; ox++) {
                        const float s = ck_avg_scale(
                            ey * ck_avg_extent((size_t)ox, sx, kw, pad_left, pad_right, w, include_pad), full,
                            interior);
                        const float *restrict g = dout + ((size_t)oy * ow + (size_t)ox) * c + ch0;
                        for (size_t j = 0; j < lanes; j++) acc[j] += g[j] * s;
                    }
                }
                memcpy(d + ch0, acc, lanes * sizeof(float));
            }
        });
    });
}

#undef CK_MAX_GRAD_GROUP
#undef CK_AVG_GRAD_GROUP
