// The explorer tests' harness (see explorer_harness.h).
#include "tests/explore/explorer_harness.h"

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "framework/plan_loader.h"
#include "gtest/gtest.h"

namespace faultline {
namespace testing_explore {

// A plan over the toy inode cache: `variant`, then `rest` (exploration and
// expectations) verbatim.
Plan IcachePlan(const std::string& variant, const std::string& rest) {
  const std::string text = absl::StrCat(
      "version: 1\n"
      "scenario { name: \"icache.igrab_vs_iput\" variant: \"",
      variant, "\" }\n", rest);
  absl::StatusOr<Plan> plan = ParsePlanText(text, "inline.textproto");
  EXPECT_TRUE(plan.ok()) << plan.status() << "\n" << text;
  return plan.ok() ? *plan : Plan();
}

Report Explore(const Plan& plan, ExplorerOptions options) {
  Explorer explorer(plan, "inline.textproto", options);
  absl::StatusOr<Report> report = explorer.Run();
  EXPECT_TRUE(report.ok()) << report.status();
  return report.ok() ? *report : Report();
}

uint64_t ExploreEveryShard(const Plan& plan, const std::string& summary) {
  uint64_t total = 0;
  uint64_t subtrees = 0;
  uint64_t run = 0;
  for (uint32_t shard = 0; shard < 3; ++shard) {
    ExplorerOptions options = Fast();
    options.shard_index = shard;
    options.total_shards = 3;
    const Report part = Explore(plan, options);
    EXPECT_TRUE(part.shard_note().empty()) << part.shard_note();
    EXPECT_GT(part.iterations_run(), 0u) << "shard " << shard;
    EXPECT_TRUE(part.complete()) << "shard " << shard;
    EXPECT_TRUE(part.expectations_met()) << "shard " << shard;
    if (shard == 0) total = part.split_subtrees_total();
    EXPECT_EQ(part.split_subtrees_total(), total) << "shard " << shard;
    EXPECT_GT(part.split_subtrees_here(), 0u) << "shard " << shard;
    EXPECT_NE(part.strategy_summary().find(summary), std::string::npos)
        << part.strategy_summary();
    subtrees += part.split_subtrees_here();
    run += part.iterations_run();
  }
  EXPECT_EQ(subtrees, total);
  return run;
}

// Options for runs whose failures need no minimizing or rendering.
ExplorerOptions Fast() {
  ExplorerOptions options;
  options.minimize = false;
  options.render = false;
  return options;
}

const ViolationReport* FindViolation(const Report& report,
                                     const std::string& check) {
  for (const ViolationReport& v : report.violations()) {
    if (v.check() == check) return &v;
  }
  return nullptr;
}

// `text` without whitespace, so wrapped cell text compares to one line.
std::string Squeeze(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c != ' ' && c != '\n' && c != '\t') out += c;
  }
  return out;
}

// The rows of a rendered task table (trace_table.h), each the squeezed
// concatenation of its cells: a row starts at a line whose first cell is
// its number and continues over the lines that wrap its text.
std::vector<std::string> TableRows(const std::string& table) {
  std::vector<std::vector<std::string>> rows;  // cells, joined per column
  for (absl::string_view line : absl::StrSplit(table, '\n')) {
    std::vector<std::string> cells = absl::StrSplit(line, '|');
    if (cells.size() < 2) continue;
    const std::string number = Squeeze(cells[0]);
    const bool starts =
        !number.empty() &&
        number.find_first_not_of("0123456789") == std::string::npos;
    if (starts) {
      rows.emplace_back(cells.size());
    } else if (!number.empty() || rows.empty()) {
      continue;  // header or separator
    }
    std::vector<std::string>& row = rows.back();
    if (row.size() < cells.size()) row.resize(cells.size());
    for (size_t c = 1; c < cells.size(); ++c) row[c] += Squeeze(cells[c]);
  }
  std::vector<std::string> out;
  for (const std::vector<std::string>& row : rows)
    out.push_back(absl::StrJoin(row, "|"));
  return out;
}

// Checks that `token` replays against `plan` to a violation of `check`.
void ExpectReplayReproduces(const Plan& plan, const std::string& token,
                            const std::string& check) {
  // A replay plan keeps the scenario, rules and expectations; of the
  // exploration only what replay reads.
  Plan replay = plan;
  Exploration* exploration = replay.mutable_exploration();
  exploration->Clear();
  exploration->set_strategy(Exploration::REPLAY);
  exploration->set_replay_token(token);
  exploration->set_max_steps(plan.exploration().max_steps());
  ASSERT_TRUE(ValidatePlan(replay).ok()) << ValidatePlan(replay);
  Explorer explorer(replay, "replay.textproto", Fast());
  absl::StatusOr<Report> report = explorer.Run();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->strategy(), "replay");
  EXPECT_EQ(report->iterations_run(), 1u);
  EXPECT_GT(report->violations_by_check().count(check), 0u)
      << "token " << token << " did not reproduce " << check;
}

}  // namespace testing_explore
}  // namespace faultline
