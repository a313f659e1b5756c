#!/usr/bin/env python3
"""Same-machine ratios of ConvKit (convbench --json) to a reference framework.

The reference files come from torch_reference.py or tf_reference.py (--json). Pass the files of
alternating rounds in order: --convkit A1.json A2.json --reference R1.json R2.json (round i pairs
Ai with Ri; --torch is a synonym of --reference). For each case, path and thread count it prints
both times and the speedup of ConvKit (reference ms / ConvKit ms; for training and inference the
images/s ratio): the median over rounds, with the rounds' range. ConvKit's convolution rows are its
`auto` algorithm; a training row is compared with every reference path (fit, step, ...).
"""
import argparse
import json
import statistics
import sys


def load(path, key):
    try:
        with open(path) as f:
            return json.load(f)[key]
    except (OSError, ValueError, KeyError) as e:
        sys.exit(f"{path}: not a readable {'convbench' if key == 'records' else 'torch_reference / tf_reference'} result file ({e})")


def convkit_ms(records, group, name, pass_, threads):
    for r in records:
        if r["suite"] != group or r["name"] != name or r["threads"] != threads:
            continue
        if group == "conv" and r["variant"] == f"{pass_} auto":
            return r["milliseconds"]
        if group == "pool" and r["variant"] == pass_:
            return r["milliseconds"]
        if group == "train":
            return r["milliseconds"]  # per batch, like the PyTorch step
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--convkit", nargs="+", required=True, help="convbench --json files, one per round")
    parser.add_argument("--reference", "--torch", dest="reference", nargs="+", required=True,
                        help="torch_reference.py or tf_reference.py --json files, one per round")
    args = parser.parse_args()
    if len(args.convkit) != len(args.reference):
        sys.exit(f"give one reference file per convbench file: {len(args.convkit)} convbench, {len(args.reference)} reference")
    rounds = [(load(c, "records"), load(t, "rows")) for c, t in zip(args.convkit, args.reference)]
    print(f"{'group':6} {'case':16} {'pass':16} {'thr':>3} {'ConvKit ms':>11} {'ref ms':>11} {'speedup':>8}  rounds")
    for row in rounds[0][1]:
        key = (row["group"], row["name"], row["passName"], row["threads"])
        ratios, ck, pt = [], [], []
        for records, torch_rows in rounds:
            t = next((r for r in torch_rows if (r["group"], r["name"], r["passName"], r["threads"]) == key), None)
            c = convkit_ms(records, *key)
            if t is None or c is None:
                continue
            ck.append(c)
            pt.append(t["milliseconds"])
            ratios.append(t["milliseconds"] / c)
        if not ratios:
            continue
        spread = f"{min(ratios):.2f}-{max(ratios):.2f}" if len(ratios) > 1 else ""
        print(f"{key[0]:6} {key[1]:16} {key[2]:16} {key[3]:3d} {statistics.median(ck):11.3f} {statistics.median(pt):11.3f}"
              f" {statistics.median(ratios):7.2f}x  {spread}")


if __name__ == "__main__":
    main()
