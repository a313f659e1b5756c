// BenchKernels: C code only the benchmarks need: the register-only FMA loops that measure the
// FMA ceiling of each instruction set (the "peak" every GFLOP/s figure is compared with).
#ifndef CONVKIT_BENCH_KERNELS_H
#define CONVKIT_BENCH_KERNELS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Runs `iterations` rounds of independent multiply-add chains on registers only and writes a
/// value derived from them to `*sink` (so the loop is not removed). Returns the floating-point
/// operations done (2 per lane per chain per round).
size_t bench_f32_fma_peak__avx512(size_t iterations, float *sink);
size_t bench_f32_fma_peak__avx2(size_t iterations, float *sink);
size_t bench_f32_fma_peak__generic(size_t iterations, float *sink);

/// Whether this CPU runs the AVX-512 (F, FMA) and AVX2 + FMA loops.
int bench_cpu_has_avx512(void);
int bench_cpu_has_avx2_fma(void);

#ifdef __cplusplus
}
#endif

#endif
