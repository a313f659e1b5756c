#!/usr/bin/env bash
# The runs behind Docs/Reproduction.md, in one command: ConvKit (`cifar10 reproduce`, every seed
# and image order), Keras and PyTorch on the same folder and seeds (Bench/frameworks), the Keras
# shuffle-order probe and the same-start comparison; then every table of the page is regenerated
# from the saved runs (Docs/results/reproduction-*.json, *.txt).
# Needs python3 with torch and tensorflow-cpu (Bench/frameworks/README.md).
# Usage: Bench/run_reproduction.sh [data folder, default ../shared/data/cifar10-subset] [seeds, default 1,2,3,4,5,6]
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data/cifar10-subset}
seeds=${2:-1,2,3,4,5,6}
out=Docs/results
mkdir -p "$out"
swift build -c release --product cifar10
.build/release/cifar10 reproduce --data "$data" --seeds "$seeds" --orders every-epoch,once --results "$out"
python3 Bench/frameworks/keras_cifar10_subset.py --data "$data" --seeds "$seeds" --json "$out/reproduction-keras-once.json"
python3 Bench/frameworks/keras_cifar10_subset.py --data "$data" --seeds "$seeds" --order every-epoch --json "$out/reproduction-keras-every-epoch.json"
python3 Bench/frameworks/torch_cifar10_subset.py --data "$data" --seeds "$seeds" --json "$out/reproduction-torch-every-epoch.json"
python3 Bench/frameworks/keras_shuffle_order.py > "$out/reproduction-keras-shuffle-order.txt"
python3 Bench/frameworks/keras_torch_same_start.py --data "$data" --seeds 1,2,3 > "$out/reproduction-same-start.txt"
.build/release/cifar10 reproduce --report-only --orders every-epoch,once --results "$out" \
  --reference "$out/reproduction-keras-once.json" "$out/reproduction-keras-every-epoch.json" "$out/reproduction-torch-every-epoch.json"
python3 - "$out" <<'PY'
import sys
sys.path.insert(0, "Bench/frameworks")
from compare import replace_section
out = sys.argv[1]
for name in ("keras-shuffle-order", "same-start"):
    text = open(f"{out}/reproduction-{name}.txt").read()
    replace_section("Docs/Reproduction.md", name, "```\n" + text + "```\n")
PY
