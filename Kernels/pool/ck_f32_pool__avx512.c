// Pooling kernels compiled for AVX-512. Body: ck_pool_template.h.
#if defined(__x86_64__)
#include "../common/ck_target.h"
// min_vector_width(512): keep the 16-float vector type in one zmm instead of two ymm.
#define CK_POOL_TARGET   CK_TARGET_AVX512 __attribute__((min_vector_width(512)))
#define CK_POOL_NAME(op) ck_f32_##op##__avx512
#include "ck_pool_template.h"
#endif
