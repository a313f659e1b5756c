// Direct-convolution kernels, 14 x 32 tile, AVX-512F: 28 zmm accumulators. Body: ck_conv_template.h.
#if defined(__x86_64__)
typedef float ck_v16f __attribute__((vector_size(64)));
#define CK_V  ck_v16f
#define CK_VW 16
#define CK_MR 14
#include "../common/ck_target.h"
#define CK_TARGET   CK_TARGET_AVX512
#define CK_FWD      ck_f32_conv_fwd_14x32__avx512
#define CK_BWDW     ck_f32_conv_bwdw_14x32__avx512
#define CK_BWDD_FEW ck_f32_conv_bwdd_few__avx512
#include "ck_conv_template.h"
#endif
