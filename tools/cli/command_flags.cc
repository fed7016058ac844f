// The table of flags each subcommand reads (see command_flags.h).
#include "tools/cli/command_flags.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace faultline {
namespace {

struct CommandFlags {
  absl::string_view command;
  std::vector<absl::string_view> flags;
};

// Keep in step with the ABSL_FLAG definitions and Dispatch() in
// faultline_main.cc.
const std::vector<CommandFlags>& Table() {
  static const auto* table = new std::vector<CommandFlags>{
      {"run",
       {"seed", "iterations", "strategy", "json", "json_out", "minimize",
        "collect_all", "points", "progress", "pct_depth", "preemption_bound",
        "iterative_bounding", "shard", "outcomes"}},
      {"replay", {}},
      {"minimize", {}},
      {"render", {"format", "out"}},
      {"trace", {"iteration", "format"}},
      {"merge", {"json", "json_out"}},
      {"check", {}},
      {"list-points", {}},
      {"list-checks", {}},
      {"list-scenarios", {}},
      {"list-hooks", {}},
      {"help", {}},
      {"--help", {}},
  };
  return *table;
}

bool Reads(const CommandFlags& entry, absl::string_view flag) {
  return std::find(entry.flags.begin(), entry.flags.end(), flag) !=
         entry.flags.end();
}

}  // namespace

absl::Status CheckFlagsFor(absl::string_view command,
                           const std::vector<std::string>& flags) {
  const auto& table = Table();
  auto entry = std::find_if(table.begin(), table.end(), [&](const auto& e) {
    return e.command == command;
  });
  if (entry == table.end()) return absl::OkStatus();
  for (const std::string& flag : flags) {
    if (Reads(*entry, flag)) continue;
    std::vector<absl::string_view> owners;
    for (const CommandFlags& other : table) {
      if (Reads(other, flag)) owners.push_back(other.command);
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "--", flag, " is not a flag of \"", command, "\"",
        owners.empty() ? std::string(" (no command reads it)")
                       : absl::StrCat(" (it belongs to ",
                                      absl::StrJoin(owners, ", "), ")")));
  }
  return absl::OkStatus();
}

}  // namespace faultline
