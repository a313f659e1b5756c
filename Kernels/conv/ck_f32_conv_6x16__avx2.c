// Direct-convolution kernels, 6 x 16 tile, AVX2 + FMA: 12 ymm accumulators. Body: ck_conv_template.h.
#if defined(__x86_64__)
typedef float ck_v8f __attribute__((vector_size(32)));
#define CK_V  ck_v8f
#define CK_VW 8
#define CK_MR 6
#include "../common/ck_target.h"
#define CK_TARGET   CK_TARGET_AVX2
#define CK_FWD      ck_f32_conv_fwd_6x16__avx2
#define CK_BWDW     ck_f32_conv_bwdw_6x16__avx2
#define CK_BWDD_FEW ck_f32_conv_bwdd_few__avx2
#include "ck_conv_template.h"
#endif
