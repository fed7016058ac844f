// The SCTBench sweep: runs every strategy column on every program with a
// schedule budget (10,000 by default, as the paper) and prints a table of
// schedules to the first bug, or "none". It builds each plan in code from the
// two lists below, validates it like a plan file and runs it through the
// Explorer (no minimization, no rendering), so a cell is exactly what
// `faultline run` would count for the same plan.
//
// A new strategy is a new line in kColumns: a column name and its
// Exploration fields as textproto (e.g. {"dpor", "strategy: DPOR"}).
//
//   bazel run -c opt //bench/sctbench:sweep -- [--seeds=N] [--budget=N]
//       [--columns=random,pct3] [--programs=account_bad,stack_bad] [--verbose]
//       [--distinct]
//
// With --seeds=N each column runs with plan seeds 1..N and a cell shows the
// median over the seeds that found the bug and how many did ("12 (5/5)");
// "none" if fewer than half did. Exhaustive search ignores the seed, so its
// columns run once. "none (all N)" means the search visited every schedule
// within its bound (N runs) and none failed. With --distinct a cell is
// "distinct/run": distinct schedules (trace hashes) in the whole budget.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "framework/explore/explorer.h"
#include "framework/plan.pb.h"
#include "framework/plan_loader.h"
#include "google/protobuf/text_format.h"

ABSL_FLAG(int, seeds, 1, "plan seeds 1..N for each randomized column");
ABSL_FLAG(uint64_t, budget, 10000, "schedules per cell (per seed)");
ABSL_FLAG(std::string, columns, "", "comma-separated columns (\"\" = all)");
ABSL_FLAG(bool, verbose, false,
          "print every seed's schedules to the first bug on stderr");
ABSL_FLAG(std::string, programs, "", "comma-separated programs (\"\" = all)");
ABSL_FLAG(bool, distinct, false,
          "instead of schedules to the first bug, run the whole budget "
          "(collect_all, plan seed 1) and print the distinct schedules");

namespace sctbench {
namespace {

// --- The columns: name, Exploration fields. Add strategies here. ---------
// "iterative: true" is not a plan field: the sweep runs EXHAUSTIVE with
// preemption bounds 0, 1, 2, ... until the bug or the budget, counting every
// run of every bound (iterative preemption bounding; lower bounds' schedules
// are run again at each higher bound, so this over-counts the paper's IPB).
struct Column {
  const char* name;
  const char* exploration;
};
constexpr Column kColumns[] = {
    {"random", "strategy: RANDOM"},
    {"pct3", "strategy: PCT pct_depth: 3"},
    {"pct3c", "strategy: PCT pct_depth: 3 pct_steps: PCT_CHOICE_STEPS"},
    {"pos", "strategy: POS"},
    {"surw", "strategy: SURW"},
    {"pb0", "strategy: EXHAUSTIVE preemption_bound: 0"},
    {"pb1", "strategy: EXHAUSTIVE preemption_bound: 1"},
    {"pb2", "strategy: EXHAUSTIVE preemption_bound: 2"},
    {"ipb", "strategy: EXHAUSTIVE iterative: true"},
};

// --- The programs: scenario sctbench.<name> and the check its bug fails.
struct Program {
  const char* name;
  const char* check;
};
constexpr Program kPrograms[] = {
    {"account_bad", "sctbench.account_bad"},
    {"bluetooth_driver_bad", "sctbench.bluetooth_driver_bad"},
    {"carter01_bad", "deadlock"},
    {"circular_buffer_bad", "sctbench.circular_buffer_bad"},
    {"deadlock01_bad", "deadlock"},
    {"lazy01_bad", "sctbench.lazy01_bad"},
    {"queue_bad", "sctbench.queue_bad"},
    {"reorder_3_bad", "sctbench.reorder_3_bad"},
    {"reorder_20_bad", "sctbench.reorder_20_bad"},
    {"stack_bad", "sctbench.stack_bad"},
    {"token_ring_bad", "sctbench.token_ring_bad"},
    {"twostage_100_bad", "sctbench.twostage_100_bad"},
    {"wronglock_bad", "sctbench.wronglock_bad"},
    {"wronglock_3_bad", "sctbench.wronglock_3_bad"},
};
constexpr int kMaxIterativeBound = 20;

struct Outcome {
  bool found = false;
  uint64_t schedules = 0;  // to the first bug if found, else all run
  bool complete = false;   // exhaustive: the bounded space was exhausted
  uint64_t runs = 0;       // schedules run in all
  uint64_t distinct = 0;   // distinct trace hashes among them
};

absl::StatusOr<faultline::Plan> MakePlan(const Program& program,
                                         const faultline::Exploration& how,
                                         uint64_t seed, uint64_t budget) {
  faultline::Plan plan;
  plan.set_version(faultline::kPlanVersion);
  plan.set_description(absl::StrCat("sweep: ", program.name));
  plan.mutable_scenario()->set_name(absl::StrCat("sctbench.", program.name));
  *plan.mutable_exploration() = how;
  plan.mutable_exploration()->set_seed(seed);
  plan.mutable_exploration()->set_iterations(budget);
  plan.add_expect()->set_violation(program.check);
  if (absl::GetFlag(FLAGS_distinct)) {
    plan.mutable_exploration()->set_collect_all(true);
  }
  absl::Status valid = faultline::ValidatePlan(plan);
  if (!valid.ok()) return valid;
  return plan;
}

absl::StatusOr<Outcome> RunOnce(const Program& program,
                                const faultline::Exploration& how,
                                uint64_t seed, uint64_t budget) {
  absl::StatusOr<faultline::Plan> plan = MakePlan(program, how, seed, budget);
  if (!plan.ok()) return plan.status();
  faultline::ExplorerOptions options;
  options.minimize = false;
  options.render = false;
  faultline::Explorer explorer(*plan, "sweep", options);
  absl::StatusOr<faultline::Report> report = explorer.Run();
  if (!report.ok()) return report.status();
  Outcome out;
  out.schedules = report->iterations_run();
  out.complete = report->complete();
  out.runs = report->iterations_run();
  out.distinct = report->distinct_schedules();
  for (const faultline::ViolationReport& v : report->violations()) {
    if (v.check() == program.check) {
      out.found = true;
      out.schedules = v.iteration() + 1;
    }
  }
  return out;
}

// Iterative preemption bounding over the EXHAUSTIVE strategy.
absl::StatusOr<Outcome> RunIterative(const Program& program,
                                     faultline::Exploration how,
                                     uint64_t budget) {
  Outcome total;
  uint64_t previous_runs = 0;
  for (int bound = 0; bound <= kMaxIterativeBound; ++bound) {
    how.set_preemption_bound(bound);
    absl::StatusOr<Outcome> one =
        RunOnce(program, how, /*seed=*/1, budget - total.schedules);
    if (!one.ok()) return one.status();
    total.schedules += one->schedules;
    if (one->found) {
      total.found = true;
      return total;
    }
    if (!one->complete || total.schedules >= budget) return total;
    // A bound that adds no schedule: the whole tree has been walked.
    if (bound > 0 && one->schedules == previous_runs) {
      total.complete = true;
      return total;
    }
    previous_runs = one->schedules;
  }
  return total;
}

std::string Cell(const Column& column, const Program& program, int seeds,
                 uint64_t budget) {
  faultline::Exploration how;
  std::string text = column.exploration;
  const bool iterative = absl::StrContains(text, "iterative: true");
  if (iterative) text = absl::StrReplaceAll(text, {{"iterative: true", ""}});
  if (!google::protobuf::TextFormat::ParseFromString(text, &how)) {
    return absl::StrCat("bad column \"", column.exploration, "\"");
  }
  if (iterative) {
    absl::StatusOr<Outcome> out = RunIterative(program, how, budget);
    if (!out.ok()) return std::string(out.status().message());
    if (out->found) return absl::StrCat(out->schedules);
    return out->complete ? absl::StrCat("none (all ", out->schedules, ")")
                         : "none";
  }
  const bool seeded = how.strategy() != faultline::Exploration::EXHAUSTIVE;
  if (absl::GetFlag(FLAGS_distinct)) {
    absl::StatusOr<Outcome> out = RunOnce(program, how, 1, budget);
    if (!out.ok()) return std::string(out.status().message());
    return absl::StrFormat("%llu/%llu",
                           static_cast<unsigned long long>(out->distinct),
                           static_cast<unsigned long long>(out->runs));
  }
  const int runs = seeded ? seeds : 1;
  std::vector<uint64_t> found;
  Outcome last;
  for (int s = 1; s <= runs; ++s) {
    absl::StatusOr<Outcome> out = RunOnce(program, how, s, budget);
    if (!out.ok()) return std::string(out.status().message());
    if (out->found) found.push_back(out->schedules);
    last = *out;
  }
  if (runs == 1) {
    if (last.found) return absl::StrCat(last.schedules);
    return last.complete ? absl::StrCat("none (all ", last.schedules, ")")
                         : "none";
  }
  if (2 * found.size() < static_cast<size_t>(runs)) {
    return absl::StrCat("none (", found.size(), "/", runs, ")");
  }
  std::sort(found.begin(), found.end());
  if (absl::GetFlag(FLAGS_verbose)) {
    std::fprintf(stderr, "%s %s: %s\n", program.name, column.name,
                 absl::StrJoin(found, " ").c_str());
  }
  // The median over all seeds, counting misses as larger than any find.
  return absl::StrCat(found[(runs - 1) / 2], " (", found.size(), "/", runs,
                      ")");
}

bool Selected(const std::string& list, const char* name) {
  if (list.empty()) return true;
  for (absl::string_view item : absl::StrSplit(list, ',')) {
    if (item == name) return true;
  }
  return false;
}

int Main() {
  const int seeds = std::max(1, absl::GetFlag(FLAGS_seeds));
  const uint64_t budget = absl::GetFlag(FLAGS_budget);
  std::vector<const Column*> columns;
  for (const Column& c : kColumns) {
    if (Selected(absl::GetFlag(FLAGS_columns), c.name)) columns.push_back(&c);
  }
  std::printf(
      "schedules to the first bug (budget %llu per cell, %d seed%s)\n\n",
      static_cast<unsigned long long>(budget), seeds, seeds == 1 ? "" : "s");
  std::string header = absl::StrFormat("| %-20s |", "program");
  std::string rule = "| --- |";
  for (const Column* c : columns) {
    absl::StrAppend(&header, absl::StrFormat(" %-14s |", c->name));
    absl::StrAppend(&rule, " ---: |");
  }
  absl::StrAppend(&header, " seconds |");
  absl::StrAppend(&rule, " ---: |");
  std::printf("%s\n%s\n", header.c_str(), rule.c_str());
  std::vector<int> found_per_column(columns.size(), 0);
  for (const Program& p : kPrograms) {
    if (!Selected(absl::GetFlag(FLAGS_programs), p.name)) continue;
    const auto start = std::chrono::steady_clock::now();
    std::string line = absl::StrFormat("| %-20s |", p.name);
    for (size_t i = 0; i < columns.size(); ++i) {
      const std::string cell = Cell(*columns[i], p, seeds, budget);
      if (!absl::StartsWith(cell, "none")) ++found_per_column[i];
      absl::StrAppend(&line, absl::StrFormat(" %-14s |", cell));
    }
    absl::StrAppend(
        &line, absl::StrFormat(" %7.1f |",
                               std::chrono::duration<double>(
                                   std::chrono::steady_clock::now() - start)
                                   .count()));
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  }
  std::string totals = absl::StrFormat("| %-20s |", "found");
  for (int n : found_per_column) {
    absl::StrAppend(&totals, absl::StrFormat(" %-14d |", n));
  }
  std::printf("%s         |\n", totals.c_str());
  return 0;
}

}  // namespace
}  // namespace sctbench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return sctbench::Main();
}
