// Runtime support for ConvKit: CPU feature detection and the per-thread parallel-region depth.
#include "ConvKitKernels.h"

int ck_cpu_has_avx512(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    // The level the AVX-512 kernels are compiled for (CK_TARGET_AVX512); __builtin_cpu_supports
    // also checks that the OS saves the ZMM state (XCR0).
    return __builtin_cpu_supports("x86-64-v4") ? 1 : 0;
#else
    return 0;
#endif
}

int ck_cpu_has_avx2_fma(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    // The level the AVX2 kernels are compiled for (CK_TARGET_AVX2).
    return __builtin_cpu_supports("x86-64-v3") ? 1 : 0;
#else
    return 0;
#endif
}

static _Thread_local int ck_depth = 0;

int ck_parallel_depth(void) { return ck_depth; }

void ck_parallel_depth_add(int delta) { ck_depth += delta; }

#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

unsigned ck_fp_flush_denormals(int on) {
#if defined(__x86_64__)
    const unsigned old = _mm_getcsr();
    // FTZ (bit 15): denormal results become 0; DAZ (bit 6): denormal inputs read as 0.
    _mm_setcsr(on ? (old | 0x8040u) : (old & ~0x8040u));
    return (old & 0x8040u) == 0x8040u;
#else
    (void)on;
    return 0;
#endif
}

long ck_fetch_add(long *counter) { return __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED); }

#include <sched.h>

void ck_cpu_relax(void) {
#if defined(__x86_64__)
    _mm_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

void ck_yield_thread(void) { sched_yield(); }
