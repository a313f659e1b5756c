// Diagnostic: times ck_f32_gemm_14x32__avx512 called from plain C, on the same in-cache panels as
// `convbench ukernel` (12 tiles of a 14 x k A panel against one k x 32 B panel, 64-byte aligned,
// beta 1), alternating with the FMA ceiling probe; prints the best of each round. The inputs are
// `regular` (small non-negative repeating values) or `random` (uniform in [-1, 1]).
// It links the kernel object SwiftPM built, so the two measurements run identical code.
// Build and run: Bench/ukernel-c-harness/run.sh [k ...]
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "ConvKitKernels.h"
#include "BenchKernels.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    const size_t k = argc > 1 ? (size_t)atoi(argv[1]) : 256;
    const int regular = argc > 2 && argv[2][0] == 'r' && argv[2][1] == 'e';
    const size_t tiles = 12, mr = 14, nr = 32;
    float *a = aligned_alloc(64, tiles * mr * k * sizeof(float));
    float *b = aligned_alloc(64, nr * k * sizeof(float));
    float *c = aligned_alloc(64, tiles * mr * nr * sizeof(float));
    srand(7);
    for (size_t i = 0; i < tiles * mr * k; i++)
        a[i] = regular ? (float)(i % 7) * 0.1f : 2.0f * rand() / (float)RAND_MAX - 1.0f;
    for (size_t i = 0; i < nr * k; i++)
        b[i] = regular ? (float)(i % 5) * 0.1f : 2.0f * rand() / (float)RAND_MAX - 1.0f;
    for (size_t i = 0; i < tiles * mr * nr; i++) c[i] = 0;
    double best_ceiling = 0, best_kernel = 1e9;
    for (int round = 0; round < 7; round++) {
        float sink;
        double t = now();
        size_t flops = bench_f32_fma_peak__avx512(1000000, &sink);
        double ceiling = (double)flops / (now() - t) * 1e-9;
        if (ceiling > best_ceiling) best_ceiling = ceiling;
        for (int run = 0; run < 100; run++) {
            double t0 = now();
            for (size_t tile = 0; tile < tiles; tile++)
                ck_f32_gemm_14x32__avx512(mr, nr, k, a + tile * mr * k, mr, b, nr, c + tile * mr * nr, nr,
                                          1.0f, 1.0f);
            double d = now() - t0;
            if (d < best_kernel) best_kernel = d;
        }
    }
    double gflops = 2.0 * tiles * mr * nr * k / best_kernel * 1e-9;
    printf("ck_f32_gemm_14x32__avx512 from C   %-7s k %zu  ceiling %.1f  best %.1f GFLOP/s  %.1f%%\n",
           regular ? "regular" : "random", k, best_ceiling, gflops, 100 * gflops / best_ceiling);
    free(a);
    free(b);
    free(c);
    return 0;
}
