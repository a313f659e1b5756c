// Direct-convolution kernels, 4 x 8 tile, portable 128-bit vectors (SSE2 on x86-64, NEON on arm64).
// Body: ck_conv_template.h.
typedef float ck_v4f_conv __attribute__((vector_size(16)));
#define CK_V  ck_v4f_conv
#define CK_VW 4
#define CK_MR 4
#define CK_TARGET
#define CK_FWD      ck_f32_conv_fwd_4x8__generic
#define CK_BWDW     ck_f32_conv_bwdw_4x8__generic
#define CK_BWDD_FEW ck_f32_conv_bwdd_few__generic
#include "ck_conv_template.h"
