// The FMA ceiling probes: enough independent chains per ISA to cover the FMA latency on two
// pipes, no memory access in the loop.
#include "BenchKernels.h"

typedef float bench_v4f __attribute__((vector_size(16)));

// 12 independent 128-bit multiply-add chains (SSE2 on x86-64: a multiply and an add; NEON: FMA).
size_t bench_f32_fma_peak__generic(size_t iterations, float *sink) {
    bench_v4f acc[12];
    for (int i = 0; i < 12; i++) acc[i] = (bench_v4f){ 0, 0, 0, 0 } + (float)i * 0.001f;
    const bench_v4f x = (bench_v4f){ 0.9999999f, 0.9999999f, 0.9999999f, 0.9999999f };
    const bench_v4f y = (bench_v4f){ 1e-7f, 1e-7f, 1e-7f, 1e-7f };
    for (size_t it = 0; it < iterations; it++) {
        for (int i = 0; i < 12; i++) acc[i] = acc[i] * x + y;
    }
    bench_v4f s = acc[0];
    for (int i = 1; i < 12; i++) s += acc[i];
    *sink = s[0] + s[1] + s[2] + s[3];
    return iterations * 12 * 4 * 2;
}

#if defined(__x86_64__)
#include <immintrin.h>

int bench_cpu_has_avx512(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("x86-64-v4");
}

int bench_cpu_has_avx2_fma(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("x86-64-v3");
}

// 12 independent ymm chains.
__attribute__((target("avx2,fma,bmi,bmi2,f16c,lzcnt,movbe"))) size_t
bench_f32_fma_peak__avx2(size_t iterations, float *sink) {
    __m256 acc[12];
    for (int i = 0; i < 12; i++) acc[i] = _mm256_set1_ps((float)i * 0.001f);
    const __m256 x = _mm256_set1_ps(0.9999999f);
    const __m256 y = _mm256_set1_ps(1e-7f);
    for (size_t it = 0; it < iterations; it++) {
#pragma clang loop unroll(full)
        for (int i = 0; i < 12; i++) acc[i] = _mm256_fmadd_ps(acc[i], x, y);
    }
    __m256 s = acc[0];
    for (int i = 1; i < 12; i++) s = _mm256_add_ps(s, acc[i]);
    float lanes[8];
    _mm256_storeu_ps(lanes, s);
    *sink = lanes[0] + lanes[1] + lanes[2] + lanes[3] + lanes[4] + lanes[5] + lanes[6] + lanes[7];
    return iterations * 12 * 8 * 2;
}

// 24 independent zmm chains.
__attribute__((target("avx512f,avx512bw,avx512cd,avx512dq,avx512vl,avx2,fma,bmi,bmi2,f16c,lzcnt,movbe")))
size_t
bench_f32_fma_peak__avx512(size_t iterations, float *sink) {
    __m512 acc[24];
    for (int i = 0; i < 24; i++) acc[i] = _mm512_set1_ps((float)i * 0.001f);
    const __m512 x = _mm512_set1_ps(0.9999999f);
    const __m512 y = _mm512_set1_ps(1e-7f);
    for (size_t it = 0; it < iterations; it++) {
#pragma clang loop unroll(full)
        for (int i = 0; i < 24; i++) acc[i] = _mm512_fmadd_ps(acc[i], x, y);
    }
    __m512 s = acc[0];
    for (int i = 1; i < 24; i++) s = _mm512_add_ps(s, acc[i]);
    *sink = _mm512_reduce_add_ps(s);
    return iterations * 24 * 16 * 2;
}
#else
int bench_cpu_has_avx512(void) { return 0; }
int bench_cpu_has_avx2_fma(void) { return 0; }
size_t bench_f32_fma_peak__avx2(size_t iterations, float *sink) {
    return bench_f32_fma_peak__generic(iterations, sink);
}
size_t bench_f32_fma_peak__avx512(size_t iterations, float *sink) {
    return bench_f32_fma_peak__generic(iterations, sink);
}
#endif
