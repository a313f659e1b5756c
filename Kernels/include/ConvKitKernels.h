// ConvKitKernels: the C microkernels of ConvKit, the only ISA-specific code in the package.
//
// Internal to ConvKit (imported with `internal import`); not a public API.
// Every x86-64 kernel carries its instruction set in a per-function `target` attribute, so the
// target builds with no `-m` flags and the registry in Swift picks a kernel at run time.
#ifndef CONVKIT_KERNELS_H
#define CONVKIT_KERNELS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

// ---------------------------------------------------------------------------------------------
// The f32 GEMM microkernel contract (BLIS-style, see Docs/Kernels.md).
//
// For an MR x NR tile of C (row-major, row stride ldc), with 1 <= m <= MR and 1 <= n <= NR:
//
//   C[i*ldc + j] := beta * C[i*ldc + j] + alpha * sum_{p<k} a[p*a_kstride + i] * b[p*b_kstride + j]
//
// for i < m, j < n. Elements of C outside m x n are neither read nor written.
// - beta == 0: C is not read (NaN or garbage in C does not propagate).
// - a: k steps of at least m floats each (a packed A micro-panel has a_kstride == MR).
// - b: k steps of NR readable floats each (a packed, zero-padded B micro-panel has
//   b_kstride == NR); columns j >= n are read but never stored.
// - k >= 1. The sum for every element is accumulated in ascending p with fused multiply-adds,
//   independent of m, n and the tile's position, so results do not depend on the partition.
typedef void (*ck_f32_gemm_ukernel_fn)(size_t m, size_t n, size_t k,
                                       const float *a, size_t a_kstride,
                                       const float *b, size_t b_kstride,
                                       float *c, size_t ldc,
                                       float alpha, float beta);

#if defined(__x86_64__)
void f32_gemm_14x32__avx512(size_t m, size_t n, size_t k, const float *a, size_t a_kstride,
                            const float *b, size_t b_kstride, float *c, size_t ldc,
                            float alpha, float beta);
void f32_gemm_6x16__avx2(size_t m, size_t n, size_t k, const float *a, size_t a_kstride,
                         const float *b, size_t b_kstride, float *c, size_t ldc,
                         float alpha, float beta);
/// Runs `iterations` x 2 x 16 x (number of accumulators) FMAs on registers only: the ceiling probe.
void f32_fma_peak__avx512(size_t iterations, float *sink);
void f32_fma_peak__avx2(size_t iterations, float *sink);
#endif

/// Portable microkernel: GCC/clang 128-bit vector extensions (SSE2 on x86-64, NEON on arm64).
void f32_gemm_4x8__vec128(size_t m, size_t n, size_t k, const float *a, size_t a_kstride,
                          const float *b, size_t b_kstride, float *c, size_t ldc,
                          float alpha, float beta);
void f32_fma_peak__vec128(size_t iterations, float *sink);

// ---------------------------------------------------------------------------------------------
// Packing (portable C). op(X)[r][c] = x[r*rs + c*cs], with rs == 1 or cs == 1 (a row-major
// operand, stored or transposed).
//
// ck_f32_pack_a: packs the mc x kc block op(A) into micro-panels of mr rows: panel q holds,
// for each p < kc, the mr values op(A)[q*mr + i][p] at out[q*mr*kc + p*mr + i]. Rows past mc
// in the last panel are zero-filled.
void ck_f32_pack_a(size_t mc, size_t kc, const float *a, size_t rs, size_t cs, size_t mr,
                   float *out);
// ck_f32_pack_b: packs the kc x nc block op(B) into micro-panels of nr columns: panel q holds,
// for each p < kc, the nr values op(B)[p][q*nr + j] at out[q*nr*kc + p*nr + j]. Columns past
// nc in the last panel are zero-filled.
void ck_f32_pack_b(size_t kc, size_t nc, const float *b, size_t rs, size_t cs, size_t nr,
                   float *out);

/// Split-K reduction: C[i*ldc + j] := alpha * sum_{s < parts} partials[s*m*n + i*n + j]
/// + beta * C[i*ldc + j], summing s in ascending order; beta == 0 does not read C.
void ck_f32_reduce_partials(size_t m, size_t n, const float *partials, size_t parts, float alpha,
                            float beta, float *c, size_t ldc);

// ---------------------------------------------------------------------------------------------
// Runtime support.

/// 1 when the CPU and the OS support the instruction set (AVX-512F; AVX2 with FMA), else 0.
int ck_cpu_has_avx512(void);
int ck_cpu_has_avx2_fma(void);

/// Per-thread depth of ConvKit parallel regions (0 outside any region).
int ck_parallel_depth(void);
void ck_parallel_depth_add(int delta);

#ifdef __cplusplus
}
#endif

#endif
