#!/usr/bin/env bash
# Builds the C diagnostic harness against the kernel object of a release build and runs it for each
# depth given (default 256) with random and with regular inputs, next to `convbench ukernel` on the
# same inputs. x86-64 with AVX-512.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
swift build -c release --product convbench >/dev/null
object="$(swift build -c release --show-bin-path)/ConvKitKernels.build/gemm/ck_f32_gemm_14x32__avx512.c.o"
clang="$(dirname "$(command -v swift)")/clang"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$clang" -O2 -I Kernels/include -I Bench/BenchKernels/include Bench/ukernel-c-harness/ukernel_harness.c \
    Bench/BenchKernels/bench_f32_fma_peak.c "$object" -o "$out/harness"
bin="$(swift build -c release --show-bin-path)"
for k in "${@:-256}"; do
    for data in random regular; do
        "$out/harness" "$k" "$data"
        echo "convbench ukernel --k $k --data $data: $("$bin/convbench" ukernel --k "$k" --data "$data" --rounds 7 | sed -n 2p)"
    done
done
