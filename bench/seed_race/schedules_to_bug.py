#!/usr/bin/python3
# Schedules to the first BUG_ON of the 2020 seed race, per strategy, over
# plan seeds 1..N: the measure of issue 12's targets. Each configuration is
# one of the committed plans with its `exploration` (and `swarm`) replaced,
# run once per seed through the faultline CLI with --nominimize --json; a
# seed's number is the 1-based iteration of its first violation of the
# expected check, or "none" if the plan's budget ran out first.
#
# The real-thread row runs the no-hints rule (no swarm, no strategy: the OS
# schedules) with the same wall-time budget per seed as the best fiber
# configuration's median time to the bug, so the two rows compare "found
# within T seconds" side by side.
#
# Writes bench/seed_race/results.csv (config, seed, schedules or none,
# wall and CPU seconds to first violation) and, with matplotlib,
# bench/seed_race/cdf.png: the cumulative share of seeds that found the bug
# within x schedules.
#
#   bench/seed_race/schedules_to_bug.py CLI [--seeds=100] [--only=NAME,...]
#       [--plot-only]
#
# CLI is a built faultline binary (bazel build -c opt //tools/cli:faultline;
# pass bazel-bin/tools/cli/faultline) so no Bazel call sits between runs.
# The shebang is Debian's python3, which has python3-matplotlib (tools/setup.sh).
import argparse
import csv
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
HINTED = os.path.join(ROOT, "plans/seed_race_prefix.textproto")
NOHINTS = os.path.join(ROOT, "plans/seed_race_prefix_nohints.textproto")
CHECK = "btrfs_release_extent_buffer_pages.under_io"

SWARM_POINT = 'swarm { points_prefix: "eb." delay { ns: 1000 max_ns: 20000 } }'
SWARM_TASK = ('swarm { points_prefix: "eb." per_task: true '
              'delay { ns: 1000 max_ns: 20000 } }')
# Per-task swarm over every point of the binary (no prefix): the mm.* page
# lock points too, not only eb.*. A delay just before a task's trylock_page
# moves its attempt into or out of reclaim's hold of the page, and minimized
# failures keep such delays.
SWARM_ALL = ('swarm { points_prefix: "" per_task: true '
             'delay { ns: 1000 max_ns: 20000 } }')

# name, plan, exploration fields, swarm line (None: keep the plan's; "":
# drop it). Seeds come from --seed, so the plan's seed field is irrelevant.
CONFIGS = [
    ("hinted pct3", HINTED, "strategy: PCT pct_depth: 3 iterations: 2000", None),
    ("hinted pct3 choice", HINTED,
     "strategy: PCT pct_depth: 3 pct_steps: PCT_CHOICE_STEPS iterations: 2000",
     None),
    ("hinted pos", HINTED, "strategy: POS iterations: 2000", None),
    ("hinted random", HINTED, "strategy: RANDOM iterations: 2000", None),
    ("hinted surw", HINTED, "strategy: SURW iterations: 2000", None),
    ("nohints pct3 swarm/point", NOHINTS, "strategy: PCT iterations: 20000",
     SWARM_POINT),
    ("nohints pct3 swarm/task", NOHINTS, "strategy: PCT iterations: 20000",
     SWARM_TASK),
    ("nohints pct3 choice swarm/task", NOHINTS,
     "strategy: PCT pct_steps: PCT_CHOICE_STEPS iterations: 20000", SWARM_TASK),
    ("nohints pos swarm/task", NOHINTS, "strategy: POS iterations: 20000",
     SWARM_TASK),
    ("nohints random swarm/task", NOHINTS, "strategy: RANDOM iterations: 20000",
     SWARM_TASK),
    ("nohints pct3 swarm/all", NOHINTS, "strategy: PCT iterations: 20000",
     SWARM_ALL),
    ("nohints pct3 choice swarm/all", NOHINTS,
     "strategy: PCT pct_steps: PCT_CHOICE_STEPS iterations: 20000", SWARM_ALL),
    # POS and the random walk found it in 7/20 and 0/20 seeds within 20,000
    # with eb.* swarm (rows above); a 5,000 budget still decides whether
    # their median is at most 2,000.
    ("nohints pos swarm/all (5k)", NOHINTS, "strategy: POS iterations: 5000",
     SWARM_ALL),
    ("nohints random swarm/all (5k)", NOHINTS,
     "strategy: RANDOM iterations: 5000", SWARM_ALL),
    ("nohints surw swarm/all", NOHINTS, "strategy: SURW iterations: 20000",
     SWARM_ALL),
]
THREADS = "nohints threads (same time)"


def make_plan(path, exploration, swarm):
    text = open(path).read()
    text = re.sub(r"^exploration \{.*\}\s*$", "", text, flags=re.M)
    if swarm is not None:
        text = re.sub(r"^swarm \{.*\}\s*$", "", text, flags=re.M)
        if swarm:
            text += swarm + "\n"
    text += "exploration { %s }\n" % exploration
    return text


# CPU seconds (user + sys) of each seed's CLI run, scaled like the wall
# time to the first violating iteration: on a loaded machine the wall time
# measures the load, the CPU time the search. Keyed by (config, seed).
CPU = {}


def run(cli, plan_text, seed, config=""):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.NamedTemporaryFile("w", suffix=".textproto",
                                     delete=False) as f:
        f.write(plan_text)
        path = f.name
    try:
        out = subprocess.run(
            [cli, "run", path, "--seed=%d" % seed, "--nominimize", "--json",
             "--progress=none"], capture_output=True, text=True).stdout
    finally:
        os.unlink(path)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime -
                                                 before.ru_stime)
    d = json.loads(out)
    first = [int(v.get("iteration", 0)) for v in d.get("violations") or []
             if v.get("check") == CHECK]
    ran = int(d.get("iterations_run", 0)) or 1
    wall = float(d.get("wall_seconds", 0))
    if not first:
        CPU[(config, seed)] = cpu
        return None, wall
    n = min(first) + 1
    CPU[(config, seed)] = cpu * n / ran
    return n, wall * n / ran


def summary(rows):
    found = sorted(n for n, _ in rows if n is not None)
    secs = sorted(s for n, s in rows if n is not None)
    line = "%d/%d found" % (len(found), len(rows))
    if found:
        # The median over all seeds counts a miss as "more than the budget".
        all_seeds = sorted(n if n is not None else float("inf")
                           for n, _ in rows)
        med = statistics.median_low(all_seeds)
        line += ", median %s, p90 %s, median s %.3f" % (
            "none" if med == float("inf") else med,
            found[min(len(found) - 1, int(0.9 * len(found)))],
            statistics.median(secs))
    return line


def cpu_summary(name, rows):
    secs = [CPU[(name, seed)] for seed, (n, _) in enumerate(rows, 1)
            if n is not None and (name, seed) in CPU]
    if not secs:
        return ""
    return ", median cpu s %.3f" % statistics.median(secs)


def plot(results, png):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib missing (tools/setup.sh installs it): no plot",
              file=sys.stderr)
        return
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for ax, prefix, budget in ((axes[0], "hinted", 2000),
                               (axes[1], "nohints", 20000)):
        for name, rows in results.items():
            if not name.startswith(prefix) or "threads" in name:
                continue
            xs = sorted(n for n, _ in rows if n is not None)
            ys = [(i + 1) / len(rows) for i in range(len(xs))]
            ax.step([1] + xs + [budget], [0] + ys + [ys[-1] if ys else 0],
                    where="post", label=name)
        ax.set_xscale("log")
        ax.set_xlim(1, budget)
        ax.set_ylim(0, 1)
        ax.set_xlabel("schedules to the first BUG_ON")
        ax.set_ylabel("share of seeds")
        ax.set_title("seed race, %s (budget %d)" % (prefix, budget))
        if prefix == "nohints":
            ax.axvline(2000, color="grey", linestyle=":", label="target")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    print("wrote", os.path.relpath(png, ROOT))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cli")
    ap.add_argument("--seeds", type=int, default=100)
    ap.add_argument("--only", default="", help="comma-separated config names")
    ap.add_argument("--plot-only", action="store_true")
    ap.add_argument("--csv", default=os.path.join(HERE, "results.csv"),
                    help="results file (read, then rewritten)")
    ap.add_argument("--threads-seconds", type=float, default=0,
                    help="time budget per seed of the thread row "
                    "(0: the best no-hints fiber row's median)")
    args = ap.parse_args()
    csv_path = args.csv
    results = {}
    if os.path.exists(csv_path):
        for r in csv.DictReader(open(csv_path)):
            n = None if r["schedules"] == "none" else int(r["schedules"])
            results.setdefault(r["config"], []).append(
                (n, float(r["seconds"])))
            if r.get("cpu_seconds"):
                CPU[(r["config"], int(r["seed"]))] = float(r["cpu_seconds"])
    only = set(filter(None, args.only.split(",")))
    if not args.plot_only:
        for name, plan, exploration, swarm in CONFIGS:
            if only and name not in only:
                continue
            text = make_plan(plan, exploration, swarm)
            results[name] = [run(args.cli, text, s, name)
                             for s in range(1, args.seeds + 1)]
            print("%-32s %s" % (name, summary(results[name])), flush=True)
        if not only or THREADS in only:
            t = args.threads_seconds
            if t <= 0:
                meds = [statistics.median(s for n, s in rows if n is not None)
                        for name, rows in results.items()
                        if name.startswith("nohints") and "threads" not in name
                        and any(n is not None for n, _ in rows)]
                t = min(meds) if meds else 1.0
            text = make_plan(
                NOHINTS, "backend: THREADS iterations: 1000000 "
                "time_budget_ms: %d" % max(1, int(t * 1000)), "")
            results[THREADS] = [run(args.cli, text, s, THREADS)
                                for s in range(1, args.seeds + 1)]
            print("%-32s %s (budget %.3f s per seed)" %
                  (THREADS, summary(results[THREADS]), t), flush=True)
        with open(csv_path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["config", "seed", "schedules", "seconds",
                        "cpu_seconds"])
            for name, rows in results.items():
                for seed, (n, s) in enumerate(rows, 1):
                    cpu = CPU.get((name, seed))
                    w.writerow([name, seed, "none" if n is None else n,
                                "%.4f" % s,
                                "" if cpu is None else "%.4f" % cpu])
    for name, rows in results.items():
        print("%-32s %s%s" % (name, summary(rows), cpu_summary(name, rows)))
    plot(results, os.path.join(HERE, "cdf.png"))


if __name__ == "__main__":
    main()
