// The faultline command-line tool: run plans, replay / minimize / render a
// failing run from its token, list what a binary contains, check plans.
//
// Exit codes: 0 expectations met (or command succeeded), 1 expectations not
// met (or a replay showed no violation), 2 bad input or usage.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "framework/explore/run_plan.h"
#include "tools/cli/command_flags.h"
#include "tools/cli/commands.h"
#include "tools/cli/flag_parse.h"

ABSL_FLAG(uint64_t, seed, 0, "run: replace the plan's seed (0 = keep)");
ABSL_FLAG(uint64_t, iterations, 0,
          "run: replace the plan's iteration count (0 = keep)");
ABSL_FLAG(std::string, strategy, "",
          "run: replace the plan's strategy: random, pct, pos, surw, "
          "exhaustive or dpor");
ABSL_FLAG(int64_t, pct_depth, -1,
          "run: replace the plan's pct_depth (-1 = keep; strategy PCT only)");
ABSL_FLAG(int64_t, preemption_bound, -1,
          "run: replace the plan's preemption_bound (-1 = keep; strategies "
          "EXHAUSTIVE and DPOR)");
ABSL_FLAG(bool, iterative_bounding, false,
          "run: search preemption bound 0, 1, 2, ... in turn (strategies "
          "EXHAUSTIVE and DPOR; --preemption_bound is then the last)");
ABSL_FLAG(std::string, shard, "",
          "run: K/N, run shard K (from 0) of N, as Bazel's test sharding does");
ABSL_FLAG(bool, json, false, "run: print the report as JSON");
ABSL_FLAG(std::string, json_out, "", "run: also write the JSON report here");
ABSL_FLAG(bool, minimize, true, "run: shrink each failing run");
ABSL_FLAG(bool, collect_all, false,
          "run: keep going after the first violation");
ABSL_FLAG(bool, points, false, "run: list per-point counters in the report");
ABSL_FLAG(bool, outcomes, false,
          "run: count distinct outcomes (what every task saw; fibers only)");
ABSL_FLAG(std::string, progress, "auto",
          "run: progress display: auto, bar, lines or none");
ABSL_FLAG(std::string, format, "table",
          "render: table, chrome (Perfetto JSON) or events");
ABSL_FLAG(std::string, out, "", "render: write here instead of stdout");
ABSL_FLAG(uint64_t, iteration, 0, "trace: which iteration of the plan");

namespace faultline {
namespace {

constexpr char kUsage[] =
    R"(faultline: find, replay and explain races in refcounted C++ code.

usage:
  faultline run PLAN... [--seed=N] [--iterations=N] [--strategy=S]
                        [--json] [--json_out=F] [--nominimize] [--collect_all]
                        [--points] [--progress=auto|bar|lines|none]
                        [--pct_depth=D] [--preemption_bound=B]
                        [--iterative_bounding] [--outcomes]
                        [--shard=K/N]  (shard K, from 0, of N)
  faultline replay TOKEN PLAN       re-run a recorded failing schedule
  faultline minimize TOKEN PLAN     shrink it; print the minimal token for PLAN
  faultline render TOKEN PLAN [--format=table|chrome|events] [--out=F]
  faultline trace PLAN [--iteration=N] [--format=table|events]
                                    show what one iteration did, pass or fail
  faultline merge PLAN REPORT.json... [--json] [--json_out=F]
                                    one verdict from a sharded run's reports
  faultline check PLAN...           validate plans only
  faultline list-points | list-checks | list-scenarios | list-hooks
  faultline help

exit status: 0 expectations met, 1 not met, 2 bad input or usage.
)";

absl::StatusOr<ExplorerOptions::Progress> ParseProgress(const std::string& s) {
  if (s == "bar") return ExplorerOptions::Progress::kBar;
  if (s == "lines") return ExplorerOptions::Progress::kLines;
  if (s == "none") return ExplorerOptions::Progress::kNone;
  if (s == "auto") {
    return isatty(STDERR_FILENO) ? ExplorerOptions::Progress::kBar
                                 : ExplorerOptions::Progress::kLines;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "--progress: expected auto, bar, lines or none, got \"", s, "\""));
}

// One line per plan for the end of a multi-plan run: the verdict and how
// often each check failed.
std::string SummaryLine(const std::string& plan, int code,
                        const Report& report) {
  if (code == kExitBadInput) return absl::StrCat("  ", plan, ": bad input");
  std::vector<std::string> checks;
  for (const auto& [check, n] : report.violations_by_check()) {
    checks.push_back(absl::StrCat(check, " in ", n));
  }
  std::sort(checks.begin(), checks.end());
  return absl::StrCat(
      "  ", code == kExitMet ? "[met]     " : "[NOT MET] ", plan, " (",
      report.variant(), ", ", report.strategy(),
      "): ", checks.empty() ? "no violation" : absl::StrJoin(checks, ", "),
      " of ", report.iterations_run(), " iterations, ",
      absl::StrFormat("%.0f", report.schedules_per_second()), " schedules/s");
}

int Run(const std::vector<std::string>& plans) {
  if (plans.empty()) return UsageError("run needs at least one PLAN");
  absl::StatusOr<ExplorerOptions> explorer = ExplorerOptions::FromEnvironment();
  if (!explorer.ok()) return UsageError(explorer.status().message());
  absl::StatusOr<ExplorerOptions::Progress> progress =
      ParseProgress(absl::GetFlag(FLAGS_progress));
  if (!progress.ok()) return UsageError(progress.status().message());
  if (!absl::GetFlag(FLAGS_shard).empty()) {
    absl::Status shard = ParseShardSpec(absl::GetFlag(FLAGS_shard), &*explorer);
    if (!shard.ok()) return UsageError(shard.message());
  }
  RunPlanOptions options;
  options.explorer = *explorer;
  options.explorer.progress = *progress;
  if (absl::GetFlag(FLAGS_seed) != 0)
    options.explorer.seed = absl::GetFlag(FLAGS_seed);
  if (absl::GetFlag(FLAGS_iterations) != 0) {
    options.explorer.iterations = absl::GetFlag(FLAGS_iterations);
  }
  if (absl::GetFlag(FLAGS_collect_all)) options.explorer.collect_all = true;
  options.explorer.minimize = absl::GetFlag(FLAGS_minimize);
  options.explorer.count_outcomes = absl::GetFlag(FLAGS_outcomes);
  options.override_strategy = absl::GetFlag(FLAGS_strategy);
  options.override_pct_depth = absl::GetFlag(FLAGS_pct_depth);
  options.override_preemption_bound = absl::GetFlag(FLAGS_preemption_bound);
  options.override_iterative_bounding = absl::GetFlag(FLAGS_iterative_bounding);
  options.json = absl::GetFlag(FLAGS_json);
  options.json_out = absl::GetFlag(FLAGS_json_out);
  options.format.points = absl::GetFlag(FLAGS_points);
  int worst = kExitMet;
  std::vector<std::string> summary;
  for (size_t i = 0; i < plans.size(); ++i) {
    if (i > 0 && !options.json) std::cout << "\n";
    Report report;
    const int code =
        RunPlanFile(plans[i], options, std::cout, std::cerr, &report);
    worst = std::max(worst, code);
    summary.push_back(SummaryLine(plans[i], code, report));
  }
  if (plans.size() > 1 && !options.json) {
    std::cout << "\nsummary:\n";
    for (const std::string& line : summary) std::cout << line << "\n";
    std::cout << (worst == kExitMet ? "all expectations met"
                                    : "some expectations NOT met")
              << "\n";
  }
  return worst;
}

int Dispatch(const std::string& command, const std::vector<std::string>& args) {
  if (command == "run") return Run(args);
  if (command == "check") return CheckPlans(args);
  if (command == "list-points") return ListPoints();
  if (command == "list-checks") return ListChecks();
  if (command == "list-scenarios") return ListScenarios();
  if (command == "list-hooks") return ListHooks();
  if (command == "merge") {
    return MergeCommand(args, MergeOptions{absl::GetFlag(FLAGS_json),
                                           absl::GetFlag(FLAGS_json_out)});
  }
  if (command == "trace") {
    if (args.size() != 1) return UsageError("trace needs PLAN");
    RenderOptions render{absl::GetFlag(FLAGS_format), absl::GetFlag(FLAGS_out)};
    return TraceCommand(args[0], absl::GetFlag(FLAGS_iteration), render);
  }
  if (command == "replay" || command == "minimize" || command == "render") {
    if (args.size() != 2) {
      return UsageError(absl::StrCat(command, " needs TOKEN and PLAN"));
    }
    RenderOptions render{absl::GetFlag(FLAGS_format), absl::GetFlag(FLAGS_out)};
    if (command == "replay") return ReplayCommand(args[0], args[1]);
    if (command == "minimize") return MinimizeCommand(args[0], args[1]);
    return RenderCommand(args[0], args[1], render);
  }
  if (command == "help" || command == "--help") {
    std::cout << kUsage;
    return kExitMet;
  }
  return UsageError(absl::StrCat("unknown command \"", command, "\""));
}

}  // namespace

int UsageError(absl::string_view message) {
  std::cerr << "faultline: " << message << "\n(see: faultline help)\n";
  return kExitBadInput;
}

}  // namespace faultline

int main(int argc, char** argv) {
  absl::StatusOr<faultline::ParsedArgs> parsed =
      faultline::ParseFlags(argc, argv);
  if (!parsed.ok()) return faultline::UsageError(parsed.status().message());
  std::vector<std::string>& positional = parsed->positional;
  if (positional.empty()) {
    std::cout << faultline::kUsage;
    return faultline::kExitBadInput;
  }
  const std::string command = positional.front();
  positional.erase(positional.begin());
  absl::Status flags_ok = faultline::CheckFlagsFor(command, parsed->flags);
  if (!flags_ok.ok()) return faultline::UsageError(flags_ok.message());
  return faultline::Dispatch(command, positional);
}
