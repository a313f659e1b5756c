// Pooling kernels compiled for AVX-512. Body: ck_pool_template.h.
#if defined(__x86_64__)
#define CK_POOL_TARGET __attribute__((target("arch=x86-64-v4"), min_vector_width(512)))
#define CK_POOL_NAME(op) f32_##op##__avx512
#include "ck_pool_template.h"
#endif
