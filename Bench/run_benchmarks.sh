#!/usr/bin/env bash
# The measurements behind Docs/Benchmarks.md, on this machine, in one command:
#   ROUNDS alternating rounds of `convbench all` (OpenBLAS timed in the same run inside
#   `convbench gemm`), PyTorch (torch_reference.py) and TensorFlow (tf_reference.py); then the
#   generated sections of Docs/Benchmarks.md: `convbench report` from the last ConvKit round and
#   the framework tables from all rounds (compare.py). Needs python3 with torch and tensorflow-cpu
#   and Debian's libopenblas-dev (Bench/frameworks/README.md). Results go to Docs/results.
# Usage: Bench/run_benchmarks.sh [rounds, default 2]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-2}
out=Docs/results
mkdir -p "$out"
rm -f "$out"/convkit-r*.json "$out"/torch-r*.json "$out"/tf-r*.json
swift build -c release --product convbench
{ lscpu | grep -E "^(Model name|CPU family|Model|CPU\(s\)|L1d cache|L2 cache|L3 cache|Hypervisor vendor):" | tr -s ' '
  grep -qw avx512f /proc/cpuinfo && echo "Vector ISA: AVX-512" || { grep -qw avx2 /proc/cpuinfo && echo "Vector ISA: AVX2 + FMA (no AVX-512)"; } || true
  python3 -c "import torch, tensorflow as tf; print('PyTorch', torch.__version__, '/ TensorFlow', tf.__version__)" 2>/dev/null || true
  dpkg-query -W -f='OpenBLAS ${Version} (Debian libopenblas)\n' libopenblas0-pthread 2>/dev/null || true
  date -u +"Measured on %Y-%m-%d"; } > "$out/machine.txt"
for r in $(seq 1 "$rounds"); do
  .build/release/convbench all --threads 1,2 --json "$out/convkit-r$r.json"
  python3 Bench/frameworks/torch_reference.py --threads 1,2 --json "$out/torch-r$r.json"
  python3 Bench/frameworks/tf_reference.py --threads 1,2 --json "$out/tf-r$r.json"
done
.build/release/convbench report --json "$out/convkit-r$rounds.json" --out Docs
ck=$(ls "$out"/convkit-r*.json | sort -V)
python3 Bench/frameworks/compare.py --convkit $ck --reference $(ls "$out"/torch-r*.json | sort -V) \
  --name "PyTorch" --section pytorch --write Docs/Benchmarks.md
python3 Bench/frameworks/compare.py --convkit $ck --reference $(ls "$out"/tf-r*.json | sort -V) \
  --name "TensorFlow" --section tensorflow --write Docs/Benchmarks.md
python3 - "$out/machine.txt" <<'PY'
import sys
sys.path.insert(0, "Bench/frameworks")
from compare import replace_section
replace_section("Docs/Benchmarks.md", "machine", "```\n" + open(sys.argv[1]).read() + "```\n")
PY
