// Portable 128-bit float vectors (GCC/clang vector extensions: SSE2 on x86-64, NEON on arm64),
// shared by the portable microkernel and the packing routines. Private to ConvKitKernels.
#ifndef CK_V4F_H
#define CK_V4F_H

#include <string.h>

typedef float ck_v4f __attribute__((vector_size(16)));

static inline __attribute__((always_inline)) ck_v4f ck_load_v4f(const float *p) {
    ck_v4f v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline __attribute__((always_inline)) void ck_store_v4f(float *p, ck_v4f v) {
    memcpy(p, &v, sizeof v);
}

#endif
