// Packing compiled for every architecture with no target attribute (4 x 4 transposes on 128-bit
// vectors: SSE2 on x86-64, NEON on arm64). Body: ck_pack_template.h.
#define CK_PACK_TARGET
#define CK_PACK_NAME(op)       ck_f32_##op##__generic
#define CK_PACK_WIDE_TRANSPOSE 0
#include "ck_pack_template.h"
