// -----------------------------------------------------------------------------
// File: run_plan.h
// -----------------------------------------------------------------------------
//
// The whole life of one plan file, shared by `faultline run` and every
// fault_plan_test target: load and validate it, explore it, print the report
// (text or JSON), write artifacts, and map the outcome to an exit code:
//
//   0  the plan's expectations were met
//   1  they were not (a violation was found where none may be, or an
//      expected violation was not found)
//   2  bad input: unreadable or malformed plan, bad environment, a scenario
//      that could not be built, a corrupt replay token

#ifndef FAULTLINE_FRAMEWORK_EXPLORE_RUN_PLAN_H_
#define FAULTLINE_FRAMEWORK_EXPLORE_RUN_PLAN_H_

#include <ostream>
#include <string>

#include "framework/explore/explorer_options.h"
#include "framework/explore/report.pb.h"
#include "framework/explore/report_text.h"

namespace faultline {

inline constexpr int kExitMet = 0;
inline constexpr int kExitNotMet = 1;
inline constexpr int kExitBadInput = 2;

struct RunPlanOptions {
  ExplorerOptions explorer;
  ReportFormat format;
  bool json = false;     // print the JSON report instead of text
  std::string json_out;  // also write the JSON report here ("" = no)
  // Applied to the plan after loading (e.g. --strategy from the command
  // line); validated like the plan itself.
  std::string override_strategy;  // "", "random", "pct", "pos", "surw",
                                  // "exhaustive", "dpor"
  // For sweeps over one plan: replace exploration.pct_depth /
  // preemption_bound (-1 = keep the plan's).
  int64_t override_pct_depth = -1;
  int64_t override_preemption_bound = -1;
  // --iterative_bounding: search bound 0, 1, 2, ... (EXHAUSTIVE, DPOR).
  bool override_iterative_bounding = false;
  std::string replay_token;  // non-empty: replay this token
};

// A plan path as the user typed it: relative paths are tried in the working
// directory, then in BUILD_WORKSPACE_DIRECTORY (set by `bazel run`).
std::string ResolvePlanPath(const std::string& path);

// Runs the plan at `path`; if `report` is not null it receives the report
// (when one was made).
int RunPlanFile(const std::string& path, const RunPlanOptions& options,
                std::ostream& out, std::ostream& err, Report* report = nullptr);

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_EXPLORE_RUN_PLAN_H_
