// The elementwise kernels for the portable ISA (the compiler's baseline vectors).
#include <math.h>
#include "ConvKitKernels.h"
#define CK_ELT_TARGET
#define CK_ELT_NAME(op) ck_f32_##op##__generic
#include "ck_eltwise_template.h"
