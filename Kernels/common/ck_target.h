// The one spelling of each instruction set's target attribute. Every ISA-specific function of
// ConvKitKernels carries one of these (no -m flags: the package must build without unsafeFlags),
// and the run-time detection (ck_runtime.c) checks the same psABI level, so a kernel never runs on
// a CPU that lacks a feature the compiler may use in it.
#ifndef CK_TARGET_H
#define CK_TARGET_H

#if defined(__x86_64__)
/// x86-64-v4: AVX-512 F, BW, CD, DQ, VL, with everything of x86-64-v3.
#define CK_TARGET_AVX512 __attribute__((target("arch=x86-64-v4")))
/// x86-64-v3: AVX2, FMA, BMI1/2, F16C, LZCNT, MOVBE.
#define CK_TARGET_AVX2 __attribute__((target("arch=x86-64-v3")))
#endif

#endif
