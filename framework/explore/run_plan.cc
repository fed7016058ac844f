// Load, explore, report, exit code (see run_plan.h).
#include "framework/explore/run_plan.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "framework/check.h"
#include "framework/explore/explorer.h"
#include "framework/explore/progress_display.h"
#include "framework/plan_loader.h"

namespace faultline {
namespace {

absl::Status ApplyOverrides(const RunPlanOptions& options, Plan* plan) {
  FL_CHECK(plan != nullptr);
  Exploration* exploration = plan->mutable_exploration();
  if (!options.override_strategy.empty()) {
    Exploration::Strategy strategy;
    std::string upper = options.override_strategy;
    for (char& c : upper) c = static_cast<char>(std::toupper(c));
    if (upper == "REPLAY" || !Exploration::Strategy_Parse(upper, &strategy) ||
        strategy == Exploration::STRATEGY_UNSPECIFIED) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--strategy: expected random, pct, pos, exhaustive or dpor, got \"",
          options.override_strategy, "\""));
    }
    exploration->set_strategy(strategy);
  }
  if (options.override_pct_depth >= 0) {
    if (options.override_pct_depth > kMaxPctDepth) {
      return absl::InvalidArgumentError(
          absl::StrCat("--pct_depth: expected a value in [0, ", kMaxPctDepth,
                       "], got ", options.override_pct_depth));
    }
    exploration->set_pct_depth(
        static_cast<uint32_t>(options.override_pct_depth));
  }
  if (options.override_preemption_bound >= 0) {
    if (options.override_preemption_bound > 1000) {
      return absl::InvalidArgumentError(
          absl::StrCat("--preemption_bound: expected a value in [0, 1000], "
                       "got ",
                       options.override_preemption_bound));
    }
    exploration->set_preemption_bound(
        static_cast<uint32_t>(options.override_preemption_bound));
  }
  if (options.override_iterative_bounding) {
    exploration->set_iterative_bounding(true);
  }
  if (options.explorer.count_outcomes &&
      exploration->backend() == Exploration::THREADS) {
    return absl::InvalidArgumentError(
        "--outcomes: the plan runs on the threads backend, where what a task "
        "saw is not tracked; outcomes are counted on fibers only");
  }
  if (!options.replay_token.empty()) {
    exploration->set_strategy(Exploration::REPLAY);
    exploration->set_replay_token(options.replay_token);
    exploration->set_backend(Exploration::FIBERS);
  }
  // The plan as written passed validation when it was loaded, so an error
  // now comes from the flags: say so, or the user hunts for it in the file.
  absl::Status status = ValidatePlan(*plan);
  if (status.ok()) return status;
  std::vector<std::string> flags;
  if (!options.override_strategy.empty()) {
    flags.push_back(absl::StrCat("--strategy=", options.override_strategy));
  }
  if (options.override_pct_depth >= 0) {
    flags.push_back(absl::StrCat("--pct_depth=", options.override_pct_depth));
  }
  if (options.override_preemption_bound >= 0) {
    flags.push_back(
        absl::StrCat("--preemption_bound=", options.override_preemption_bound));
  }
  if (options.override_iterative_bounding) {
    flags.push_back("--iterative_bounding");
  }
  if (!options.replay_token.empty()) flags.push_back("a replay token");
  return absl::InvalidArgumentError(
      absl::StrCat(status.message(), " (caused by ", absl::StrJoin(flags, ", "),
                   " on the command line, which overrides the plan; the "
                   "plan itself is valid)"));
}

void WriteArtifacts(const Report& report, const std::string& dir,
                    std::ostream& err) {
  if (dir.empty()) return;
  absl::StatusOr<std::string> json = ReportToJson(report);
  if (json.ok()) std::ofstream(absl::StrCat(dir, "/report.json")) << *json;
  for (const ViolationReport& v : report.violations()) {
    std::ofstream file(absl::StrCat(dir, "/", v.check(), ".txt"));
    file << "replay token: " << v.replay_token() << "\n";
    if (!v.minimized_token().empty()) {
      file << "minimized token: " << v.minimized_token() << "\n";
    }
    file << "\n" << v.rendered_table();
  }
}

}  // namespace

// `bazel run` starts binaries in the runfiles tree; a relative plan path
// the user typed is relative to the workspace they ran it from.
std::string ResolvePlanPath(const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  if (std::ifstream(path).good()) return path;
  const char* workspace = std::getenv("BUILD_WORKSPACE_DIRECTORY");
  if (workspace == nullptr) return path;
  std::string candidate = absl::StrCat(workspace, "/", path);
  return std::ifstream(candidate).good() ? candidate : path;
}

int RunPlanFile(const std::string& path, const RunPlanOptions& options,
                std::ostream& out, std::ostream& err, Report* report_out) {
  absl::StatusOr<Plan> plan = LoadPlanFile(ResolvePlanPath(path));
  if (!plan.ok()) {
    err << "faultline: " << plan.status().message() << "\n";
    return kExitBadInput;
  }
  absl::Status overridden = ApplyOverrides(options, &*plan);
  if (!overridden.ok()) {
    err << "faultline: " << path << ": " << overridden.message() << "\n";
    return kExitBadInput;
  }
  if (!options.explorer.shard_status_file.empty()) {
    std::ofstream touch(options.explorer.shard_status_file, std::ios::app);
  }
  // Refuse an unwritable report path before the run, not after it.
  if (!options.json_out.empty() && !std::ofstream(options.json_out)) {
    err << "faultline: --json_out: cannot write " << options.json_out << "\n";
    return kExitBadInput;
  }
  Explorer explorer(*std::move(plan), path, options.explorer);
  ProgressDisplay progress(options.explorer.progress, err);
  explorer.set_progress(progress.Callback());
  // An iteration that cannot be stopped ends the process with status 1 (on
  // the wall-clock guard's thread): the report, its token and the files
  // asked for still come out first.
  explorer.set_on_stuck([&](const Report& report) {
    err << "\n";
    WriteArtifacts(report, options.explorer.artifacts_dir, err);
    absl::StatusOr<std::string> json = ReportToJson(report);
    if (!options.json_out.empty() && json.ok() &&
        !(std::ofstream(options.json_out) << *json)) {
      err << "faultline: --json_out: cannot write " << options.json_out << "\n";
    }
    if (options.json) {
      out << (json.ok() ? *json : "{}") << "\n";
    } else {
      out << FormatReport(report, options.format);
    }
    out.flush();
    err.flush();
  });
  absl::StatusOr<Report> report = explorer.Run();
  progress.Finish();
  if (!report.ok()) {
    err << "faultline: " << path << ": " << report.status().message() << "\n";
    return kExitBadInput;
  }
  WriteArtifacts(*report, options.explorer.artifacts_dir, err);
  if (report_out != nullptr) *report_out = *report;
  absl::StatusOr<std::string> json = ReportToJson(*report);
  if (!options.json_out.empty() && json.ok() &&
      !(std::ofstream(options.json_out) << *json)) {
    err << "faultline: --json_out: cannot write " << options.json_out << "\n";
    return kExitBadInput;
  }
  if (options.json) {
    out << (json.ok() ? *json : "{}") << "\n";
  } else {
    out << FormatReport(*report, options.format);
  }
  return report->expectations_met() ? kExitMet : kExitNotMet;
}

}  // namespace faultline
