// -----------------------------------------------------------------------------
// File: report_merge.h
// -----------------------------------------------------------------------------
//
// One verdict from the reports of a plan's shards. A Bazel test shard (or
// `faultline run --shard=K/N`) judges only its own share; a search spread
// over shards, on one machine or on remote execution workers, is judged as
// a whole by merging the shards' report.json files: counts add up, the
// first violation of each check is kept with its replay token (tokens
// replay anywhere), the search is complete only if every share of it is,
// and the plan's expectations are judged again on the sum. `faultline
// merge` is the command; docs/remote_execution.md the workflow.
//
// Example:
//   absl::StatusOr<Report> merged = MergeShardReports(plan, {r0, r1});
//   if (!merged.ok()) ...  // another plan's report, a shard missing, ...
//   merged->expectations_met()

#ifndef FAULTLINE_FRAMEWORK_EXPLORE_REPORT_MERGE_H_
#define FAULTLINE_FRAMEWORK_EXPLORE_REPORT_MERGE_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "framework/explore/report.pb.h"
#include "framework/plan.pb.h"

namespace faultline {

// Merges the reports of shards 0..N-1 of one run of `plan` (any order).
// InvalidArgument, naming the shard, when a report belongs to another plan,
// seed, strategy or shard count, when a shard is given twice or missing,
// or when a report is itself a merge.
absl::StatusOr<Report> MergeShardReports(const Plan& plan,
                                         std::vector<Report> shards);

// Parses a report written by `faultline run --json_out` or into a plan
// test's outputs (report.json). InvalidArgument with the parser's message.
absl::StatusOr<Report> ReportFromJson(absl::string_view json);

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_EXPLORE_REPORT_MERGE_H_
