// The elementwise kernels for AVX2 (x86-64-v3); FMA contraction off, so the bits equal the
// portable build's.
#if defined(__x86_64__)
#include <math.h>
#include "ConvKitKernels.h"
#include "../common/ck_target.h"
#pragma clang fp contract(off)
#define CK_ELT_TARGET   CK_TARGET_AVX2
#define CK_ELT_NAME(op) ck_f32_##op##__avx2
#include "ck_eltwise_template.h"
#endif
