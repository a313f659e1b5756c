#ifndef CK_OPENMP_H
#define CK_OPENMP_H

/// Runs fn(context, w) for every w in [0, workers) with `#pragma omp parallel for`
/// (num_threads(workers), schedule(static, 1)): one worker index per OpenMP thread.
void ck_omp_run_workers(int workers, void (*fn)(void *context, int worker), void *context);

/// An empty `#pragma omp parallel num_threads(threads)` region: the bare fork/join cost.
void ck_omp_empty_region(int threads);

/// The OpenMP runtime's name and version as the preprocessor saw them (_OPENMP, e.g. 201811).
int ck_omp_version(void);

/// omp_get_max_threads().
int ck_omp_max_threads(void);

/// Seconds of CPU time used by the whole process so far (all threads), for spin-wait cost.
double ck_process_cpu_seconds(void);

#endif
