// Packing compiled for AVX2 (x86-64-v3; also used by the AVX-512 kernel): 8 x 8 transposes on
// 256-bit registers. Body: ck_pack_template.h.
#if defined(__x86_64__)
#include "../common/ck_target.h"
#define CK_PACK_TARGET         CK_TARGET_AVX2
#define CK_PACK_NAME(op)       ck_f32_##op##__avx2
#define CK_PACK_WIDE_TRANSPOSE 1
#include "ck_pack_template.h"
#endif
