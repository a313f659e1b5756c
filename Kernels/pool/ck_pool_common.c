// Pooling helpers shared by every ISA. Contracts: ConvKitKernels.h.
#include "ConvKitKernels.h"

size_t ck_i32_count_outside(size_t n, const int32_t *x, int32_t upper) {
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) bad += (x[i] < 0) | (x[i] >= upper);
    return bad;
}
