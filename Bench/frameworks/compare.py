#!/usr/bin/env python3
"""Same-machine ratios of ConvKit (convbench --json) to a reference framework.

The reference files come from torch_reference.py or tf_reference.py (--json). Pass the files of
alternating rounds in order: --convkit A1.json A2.json --reference R1.json R2.json (round i pairs
Ai with Ri; --torch is a synonym of --reference). For each case, path and thread count it prints
both times and the speedup of ConvKit (reference ms / ConvKit ms; for training and inference the
images/s ratio): the median over rounds, with the rounds' range. ConvKit's convolution rows are its
`auto` algorithm; a training row is compared with every reference path (fit, step, ...).
--markdown prints the same as a Markdown table; --write FILE --section NAME puts that table
between the markers <!-- NAME:begin --> and <!-- NAME:end --> of FILE (appended if absent).
"""
import argparse
import json
import os
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
    parser.add_argument("--name", help="the reference's name in table headers (e.g. 'PyTorch 2.13')")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--write", help="put the Markdown table into this file, between the --section markers")
    parser.add_argument("--section", help="marker name for --write (default: the --name in lower case)")
    args = parser.parse_args()
    if len(args.convkit) != len(args.reference):
        sys.exit(f"give one reference file per convbench file: {len(args.convkit)} convbench, {len(args.reference)} reference")
    rounds = [(load(c, "records"), load(t, "rows")) for c, t in zip(args.convkit, args.reference)]
    rows = []
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
        rows.append((key, statistics.median(ck), statistics.median(pt), statistics.median(ratios), spread))
    if args.markdown or args.write:
        name = args.name or "reference"
        lines = [f"| group | case | pass | threads | ConvKit ms | {name} ms | speedup (median) | rounds' range |",
                 "|---|---|---|---:|---:|---:|---:|---|"]
        lines += [f"| {k[0]} | {k[1]} | {k[2]} | {k[3]} | {c:.3f} | {r:.3f} | {x:.2f}x | {s} |" for k, c, r, x, s in rows]
        table = "\n".join(lines) + "\n"
        if args.write:
            replace_section(args.write, args.section or name.lower(), table)
            print(f"wrote {len(rows)} rows into {args.write}")
        else:
            print(table, end="")
        return
    print(f"{'group':6} {'case':16} {'pass':16} {'thr':>3} {'ConvKit ms':>11} {'ref ms':>11} {'speedup':>8}  rounds")
    for key, c, r, x, spread in rows:
        print(f"{key[0]:6} {key[1]:16} {key[2]:16} {key[3]:3d} {c:11.3f} {r:11.3f} {x:7.2f}x  {spread}")


def replace_section(path, section, body):
    """Puts `body` between <!-- section:begin --> and <!-- section:end --> in the file at `path`."""
    begin, end = f"<!-- {section}:begin -->", f"<!-- {section}:end -->"
    text = open(path).read() if os.path.exists(path) else ""
    block = f"{begin}\n{body}{end}"
    if begin in text and end in text:
        text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    with open(path, "w") as f:
        f.write(text)

if __name__ == "__main__":
    main()
