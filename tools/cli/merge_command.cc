// `faultline merge PLAN REPORT...`: one verdict from a sharded run's
// report.json files (see commands.h, framework/explore/report_merge.h).
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "framework/explore/report_merge.h"
#include "framework/explore/report_text.h"
#include "framework/explore/run_plan.h"
#include "framework/plan_loader.h"
#include "tools/cli/commands.h"

namespace faultline {

int MergeCommand(const std::vector<std::string>& args,
                 const MergeOptions& options) {
  if (args.size() < 2) {
    return UsageError("merge needs PLAN and at least one REPORT.json");
  }
  absl::StatusOr<Plan> plan = LoadPlanFile(ResolvePlanPath(args[0]));
  if (!plan.ok()) return UsageError(plan.status().message());
  std::vector<Report> shards;
  for (size_t i = 1; i < args.size(); ++i) {
    std::ifstream in(args[i]);
    std::stringstream text;
    if (!in.good() || !(text << in.rdbuf())) {
      return UsageError(absl::StrCat(args[i], ": cannot read the file"));
    }
    absl::StatusOr<Report> report = ReportFromJson(text.str());
    if (!report.ok()) {
      return UsageError(absl::StrCat(args[i], ": ", report.status().message()));
    }
    shards.push_back(*std::move(report));
  }
  absl::StatusOr<Report> merged = MergeShardReports(*plan, std::move(shards));
  if (!merged.ok()) return UsageError(merged.status().message());
  absl::StatusOr<std::string> json = ReportToJson(*merged);
  if (!options.json_out.empty() &&
      !(json.ok() && (std::ofstream(options.json_out) << *json))) {
    std::cerr << "faultline: --json_out: cannot write " << options.json_out
              << "\n";
    return kExitBadInput;
  }
  if (options.json) {
    std::cout << (json.ok() ? *json : "{}") << "\n";
  } else {
    std::cout << FormatReport(*merged, ReportFormat{});
  }
  return merged->expectations_met() ? kExitMet : kExitNotMet;
}

}  // namespace faultline
