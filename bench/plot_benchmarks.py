#!/usr/bin/python3
# Draws BENCHMARKS.md's plots of the microbenchmarks from their own JSON
# output: what a fault point hit costs in each state against libfiu
# (bench/fault_point_cost.png), and seed-scenario schedules per CPU second
# with incremental invariants against the full sweep every step they
# replaced (bench/seed_throughput.png).
#
#   bazel build -c opt //bench:fault_point_bench //bench:seed_schedule_bench
#   bench/plot_benchmarks.py             # runs both, keeps bench/results/*.json
#   bench/plot_benchmarks.py --plot-only # redraws from the kept JSON
#
# Run from the project root (seed_schedule_bench reads plans/ relative to
# it). The shebang is Debian's python3, which has python3-matplotlib
# (tools/setup.sh). Each binary's rows run in one process, so the ratios in
# a plot compare like with like even on a loaded machine; the absolute
# numbers are the machine's.
import argparse
import json
import os
import subprocess
import sys

RESULTS = "bench/results"
BENCHES = {
    "fault_point_bench": ["--benchmark_repetitions=3",
                          "--benchmark_report_aggregates_only=true",
                          "--benchmark_filter=^BM_(Plain|NoPlan|Armed|Fires|Fiu)"],
    "seed_schedule_bench": ["--benchmark_repetitions=3",
                            "--benchmark_report_aggregates_only=true"],
}

# fault_point_bench rows, in the order of a hit's states, with labels.
FAULT_ROWS = [
    ("BM_Plain", "loop body alone"),
    ("BM_NoPlan", "site, no run"),
    ("BM_ArmedOtherPoint", "armed, rule elsewhere"),
    ("BM_ArmedProbabilityZero", "armed, probability 0"),
    ("BM_ArmedTaskMismatch", "armed, other task"),
    ("BM_ArmedRareDraw", "armed, draws, no fire"),
    ("BM_Fires", "fires"),
    ("BM_FiuNoPointEnabled", "libfiu, nothing enabled"),
    ("BM_FiuOtherPointEnabled", "libfiu, other point"),
    ("BM_FiuThisPointProbabilityZero", "libfiu, probability 0"),
]
SEED_ROWS = [
    ("BM_SeedRacePrefix/2000", "pre-fix plan"),
    ("BM_SeedRacePostfix/2000", "post-fix plan"),
    ("BM_SeedRacePostfixSweepEveryStep/2000",
     "post-fix plan,\nfull invariant sweep\nevery step (before)"),
]


def run(bench, bin_dir):
    path = os.path.join(bin_dir, "bench", bench)
    if not os.path.exists(path):
        sys.exit("%s: not built (bazel build -c opt //bench:%s)" % (path, bench))
    out = os.path.join(RESULTS, bench + ".json")
    os.makedirs(RESULTS, exist_ok=True)
    subprocess.run([path, "--benchmark_format=json", "--benchmark_out=" + out,
                    "--benchmark_out_format=json"] + BENCHES[bench],
                   check=True, stdout=subprocess.DEVNULL)
    return out


def medians(bench):
    """name -> the median row's fields, from the kept JSON."""
    with open(os.path.join(RESULTS, bench + ".json")) as f:
        data = json.load(f)
    rows = {}
    for b in data["benchmarks"]:
        if b.get("aggregate_name", "median") == "median":
            rows[b.get("run_name", b["name"])] = b
    return rows, data.get("context", {})


def plot(plt):
    rows, ctx = medians("fault_point_bench")
    labels = [label for name, label in FAULT_ROWS if name in rows]
    ns = [rows[name]["cpu_time"] for name, _ in FAULT_ROWS if name in rows]
    colors = ["tab:gray" if name == "BM_Plain" else
              "tab:red" if name.startswith("BM_Fiu") else "tab:blue"
              for name, _ in FAULT_ROWS if name in rows]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.barh(range(len(ns)), ns, color=colors)
    ax.set_yticks(range(len(ns)))
    ax.set_yticklabels(labels)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("CPU ns per hit (median of 3, log scale)")
    ax.set_title("fault point cost by state (blue faultline, red libfiu)")
    for i, v in enumerate(ns):
        ax.text(v * 1.05, i, "%.2f" % v, va="center", fontsize=8)
    fig.tight_layout()
    fig.savefig("bench/fault_point_cost.png", dpi=100)
    print("wrote bench/fault_point_cost.png (%s)" % ctx.get("date", ""))

    rows, ctx = medians("seed_schedule_bench")
    labels = [label for name, label in SEED_ROWS if name in rows]
    rates = [rows[name]["schedules"] for name, _ in SEED_ROWS if name in rows]
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.bar(range(len(rates)), rates,
           color=["tab:blue", "tab:blue", "tab:gray"][:len(rates)])
    ax.axhline(30000, linestyle=":", color="k", label="target 30,000/s")
    ax.set_xticks(range(len(rates)))
    ax.set_xticklabels(labels, fontsize=8)
    ax.set_ylabel("schedules per CPU second (median of 3)")
    ax.set_title("seed scenario throughput, 2,000 schedules a run")
    for i, v in enumerate(rates):
        ax.text(i, v, "%.0f" % v, ha="center", va="bottom", fontsize=8)
    ax.legend()
    fig.tight_layout()
    fig.savefig("bench/seed_throughput.png", dpi=100)
    print("wrote bench/seed_throughput.png (%s)" % ctx.get("date", ""))
    for name, label in SEED_ROWS:
        if name in rows:
            print("  %-40s %8.0f schedules/s" % (name, rows[name]["schedules"]))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plot-only", action="store_true")
    parser.add_argument("--bin", default="bazel-bin",
                        help="the -c opt output directory (default bazel-bin)")
    args = parser.parse_args()
    if not os.path.isdir("plans"):
        sys.exit("run from the project root")
    if not args.plot_only:
        for bench in BENCHES:
            print("running", bench, "...", flush=True)
            run(bench, args.bin)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        sys.exit("matplotlib missing (tools/setup.sh installs python3-matplotlib)")
    plot(plt)


if __name__ == "__main__":
    main()
