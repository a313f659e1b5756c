#include "ck_openmp.h"
#include <time.h>

// The two functions of the OpenMP API used here, declared directly: the toolchain's clang does
// not ship omp.h, and Debian's libomp-dev puts it in clang-14's private include folder.
extern int omp_get_max_threads(void);

void ck_omp_run_workers(int workers, void (*fn)(void *context, int worker), void *context) {
    #pragma omp parallel for num_threads(workers) schedule(static, 1)
    for (int w = 0; w < workers; w++) {
        fn(context, w);
    }
}

void ck_omp_empty_region(int threads) {
    #pragma omp parallel num_threads(threads)
    {
        __asm__ volatile("" ::: "memory");
    }
}

int ck_omp_version(void) {
#ifdef _OPENMP
    return _OPENMP;
#else
    return 0;
#endif
}

int ck_omp_max_threads(void) { return omp_get_max_threads(); }

double ck_process_cpu_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}
