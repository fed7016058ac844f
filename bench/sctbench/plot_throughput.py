#!/usr/bin/python3
# Draws SCTBench schedules per CPU second, before and after a change, from
# two runs of //bench/sctbench:throughput_bench with JSON output
# (BENCHMARKS.md, "SCTBench throughput"):
#
#   BIN --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
#       --benchmark_format=json --benchmark_out=before.json   # old build
#   ... the same with the new build into after.json ...
#   bench/sctbench/plot_throughput.py before.json after.json
#
# Writes bench/sctbench/throughput.png and keeps both JSON files in
# bench/results/ (sctbench_before.json, sctbench_after.json) so the plot
# can be redrawn: plot_throughput.py --kept. Debian's python3 has
# python3-matplotlib (tools/setup.sh).
import argparse
import json
import shutil
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

KEPT = ("bench/results/sctbench_before.json", "bench/results/sctbench_after.json")
OUT = "bench/sctbench/throughput.png"


def medians(path):
    """{program: schedules per CPU second} from a benchmark JSON file."""
    with open(path) as f:
        data = json.load(f)
    out = {}
    for row in data["benchmarks"]:
        if row.get("aggregate_name") == "median":
            out[row["run_name"].split("/")[1]] = row["schedules"]
    if not out:
        sys.exit("%s: no median rows (run with --benchmark_repetitions=3 "
                 "--benchmark_report_aggregates_only=true)" % path)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="*", help="before.json after.json")
    parser.add_argument("--kept", action="store_true",
                        help="redraw from bench/results/")
    args = parser.parse_args()
    if args.kept:
        before_path, after_path = KEPT
    elif len(args.files) == 2:
        before_path, after_path = args.files
        for src, dst in zip(args.files, KEPT):
            shutil.copyfile(src, dst)
    else:
        sys.exit("usage: plot_throughput.py BEFORE.json AFTER.json | --kept")
    before, after = medians(before_path), medians(after_path)
    names = [n for n in before if n in after]
    x = range(len(names))
    fig, ax = plt.subplots(figsize=(10, 4.5))
    ax.bar([i - 0.2 for i in x], [before[n] for n in names], 0.4,
           label="before", color="gray")
    ax.bar([i + 0.2 for i in x], [after[n] for n in names], 0.4,
           label="after", color="tab:blue")
    for i, n in enumerate(names):
        ax.text(i + 0.2, after[n], "%.2fx" % (after[n] / before[n]),
                ha="center", va="bottom", fontsize=7)
    ax.set_yscale("log")
    ax.set_xticks(list(x))
    ax.set_xticklabels(names, rotation=35, ha="right", fontsize=8)
    ax.set_ylabel("schedules per CPU second (median of 3, log)")
    ax.set_title("SCTBench ports, random walk, 1,000 schedules a run")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    fig.savefig(OUT, dpi=100)
    print("wrote", OUT)
    for n in names:
        print("  %-22s %9.0f -> %9.0f  %.2fx" % (n, before[n], after[n],
                                                  after[n] / before[n]))


if __name__ == "__main__":
    main()
