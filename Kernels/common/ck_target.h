// The one spelling of each instruction set's target attribute. Every ISA-specific function of
// ConvKitKernels carries one of these (no -m flags: the package must build without unsafeFlags).
// Each lists the features of a psABI level, which is what the run-time detection checks
// (ck_runtime.c: x86-64-v4, x86-64-v3), so a kernel never runs on a CPU that lacks a feature the
// compiler may use in it. The features are listed rather than written `arch=x86-64-v3`: `arch=`
// also changes the tuning, which made the AVX2 weight-gradient kernel slower (compare two builds
// with `convbench conv --problem 'n64 h15 w15 c32 o64 k3x3 s1x1 d1x1 valid g1 nhwc' --passes
// backwardWeights --algorithms direct`).
#ifndef CK_TARGET_H
#define CK_TARGET_H

#if defined(__x86_64__)
/// x86-64-v4: AVX-512 F, BW, CD, DQ, VL, with everything of x86-64-v3.
#define CK_TARGET_AVX512                                                                              \
    __attribute__((target("avx512f,avx512bw,avx512cd,avx512dq,avx512vl,avx2,fma,bmi,bmi2,f16c,lzcnt," \
                          "movbe")))
/// x86-64-v3: AVX2, FMA, BMI1/2, F16C, LZCNT, MOVBE.
#define CK_TARGET_AVX2 __attribute__((target("avx2,fma,bmi,bmi2,f16c,lzcnt,movbe")))
#endif

#endif
