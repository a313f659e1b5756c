#!/usr/bin/env python3
"""A/B of two convbench builds: runs the same convbench command with each, alternating the order
every round, and prints per case the fastest run seen (robust to the outside load of a shared
machine, which only ever adds time) and the median of the rounds' medians.

    git worktree add /tmp/base <commit> && (cd /tmp/base && swift build -c release --product convbench)
    python3 Bench/ab_binaries.py --rounds 6 /tmp/base . -- conv --cifar-only --passes backwardData --threads 1,2
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=4, help="rounds; each runs every build once")
    parser.add_argument("builds", nargs=2, help="two package folders holding .build/release/convbench")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the convbench arguments (without --json)")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the convbench command after --")
    binaries = [os.path.join(b, ".build", "release", "convbench") for b in args.builds]
    for b in binaries:
        if not os.access(b, os.X_OK):
            parser.error(f"{b} is missing: build it with swift build -c release --product convbench")

    times = {}  # (case, variant, threads) -> build -> [(fastest ms, median ms)]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "run.json")
        for r in range(args.rounds):
            order = range(2) if r % 2 == 0 else reversed(range(2))
            for i in order:
                subprocess.run([binaries[i], *command, "--json", out], check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                with open(out) as f:
                    records = json.load(f)["records"]
                for rec in records:
                    if rec.get("milliseconds") is None:
                        continue  # peaks (FMA ceiling, copy bandwidth) have no time
                    key = (rec["name"], rec.get("variant") or "", rec["threads"])
                    fastest = rec.get("bestMilliseconds") or rec["milliseconds"]
                    times.setdefault(key, [[], []])[i].append((fastest, rec["milliseconds"]))

    names = [os.path.basename(os.path.abspath(b)) for b in args.builds]
    print(f"{'case':18} {'variant':26} thr  {names[0] + ' fastest':>16} {names[1] + ' fastest':>16}  B/A   "
          f"{'A median':>9} {'B median':>9}")
    for key in sorted(times):
        a, b = times[key]
        if not a or not b:
            continue
        fa, fb = min(x[0] for x in a), min(x[0] for x in b)
        ma, mb = statistics.median(x[1] for x in a), statistics.median(x[1] for x in b)
        print(f"{key[0]:18} {key[1]:26} {key[2]:3}  {fa:16.3f} {fb:16.3f}  {fb / fa:4.2f}x {ma:9.3f} {mb:9.3f}")


if __name__ == "__main__":
    sys.exit(main())
