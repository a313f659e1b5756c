// Pooling kernels compiled for baseline x86-64 / arm64 (no target attribute). Body: ck_pool_template.h.
#define CK_POOL_TARGET
#define CK_POOL_NAME(op) ck_f32_##op##__generic
#include "ck_pool_template.h"
