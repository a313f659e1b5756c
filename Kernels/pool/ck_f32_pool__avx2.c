// Pooling kernels compiled for AVX2. Body: ck_pool_template.h.
#if defined(__x86_64__)
#include "../common/ck_target.h"
#define CK_POOL_TARGET   CK_TARGET_AVX2
#define CK_POOL_NAME(op) ck_f32_##op##__avx2
#include "ck_pool_template.h"
#endif
