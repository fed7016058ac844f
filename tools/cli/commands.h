// -----------------------------------------------------------------------------
// File: commands.h
// -----------------------------------------------------------------------------
//
// The faultline subcommands other than `run`: each returns the process exit
// code (0 success, 1 "no violation where one was expected", 2 bad input) and
// prints one clear message on error.

#ifndef FAULTLINE_TOOLS_CLI_COMMANDS_H_
#define FAULTLINE_TOOLS_CLI_COMMANDS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace faultline {

struct RenderOptions {
  std::string format;  // table, chrome, events
  std::string out;     // "" = stdout
};

// Prints `message` and the pointer to help; returns exit code 2.
int UsageError(absl::string_view message);

int CheckPlans(const std::vector<std::string>& plans);
int ListPoints();
int ListChecks();
int ListScenarios();
int ListHooks();
// Re-runs the schedule in `token` strictly; exit 0 if it shows a violation,
// 1 if it runs clean, 2 if the token or plan is bad or the replay diverges.
int ReplayCommand(const std::string& token, const std::string& plan);
// Runs one iteration of a plan with events recorded and renders it, whether
// or not it fails: what did iteration N do? Exact for the random strategy;
// PCT and exhaustive search learn across iterations, so for them this is the
// first iteration's schedule under iteration N's seed.
int TraceCommand(const std::string& plan, uint64_t iteration,
                 const RenderOptions& options);
int MinimizeCommand(const std::string& token, const std::string& plan);
int RenderCommand(const std::string& token, const std::string& plan,
                  const RenderOptions& options);

struct MergeOptions {
  bool json = false;
  std::string json_out;  // "" = write no file
};
// `merge PLAN REPORT...`: judges the plan on its shards' reports together;
// 0 met, 1 not met, 2 bad input (unreadable report, another plan's, a shard
// missing or given twice).
int MergeCommand(const std::vector<std::string>& args,
                 const MergeOptions& options);

}  // namespace faultline

#endif  // FAULTLINE_TOOLS_CLI_COMMANDS_H_
