// Goal: the explorer finds the btrfs seed race on real threads (the thread
// backend) and renders it from the failing run's own trace. A target of its
// own so tools/test runs it under ThreadSanitizer (tag "tsan") without the
// fiber tests of seed_race_test.cc.
// Method: plans/seed_race_prefix_threads.textproto loaded by path and run in
// process with Explorer::Run; assertions on the Report, its token and its
// rendered table.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "framework/explore/explorer.h"
#include "framework/explore/explorer_options.h"
#include "framework/plan.pb.h"
#include "framework/plan_loader.h"
#include "framework/runtime/strategies/strategy.h"
#include "framework/runtime/trace/replay_token.h"
#include "gtest/gtest.h"
#include "tests/explore/explorer_harness.h"

namespace faultline {
namespace {

using ::faultline::testing_explore::FindViolation;
using ::faultline::testing_explore::kUnderIo;
using ::faultline::testing_explore::Squeeze;
using ::faultline::testing_explore::TableRows;

// The thread backend: the same race found by real threads, reported with a
// best-effort token (strategy kThreads, no switches) and rendered from the
// failing run's own trace, since it cannot be replayed or minimized. Row
// order between tasks is the order their notes were recorded, so only the
// presence of the race's steps is asserted, and that the BUG_ON ends it.
TEST(ExplorerThreads, SeedRaceFoundOnRealThreadsAndRenderedFromItsOwnTrace) {
  constexpr char kPath[] = "plans/seed_race_prefix_threads.textproto";
  absl::StatusOr<Plan> plan = LoadPlanFile(kPath);
  ASSERT_TRUE(plan.ok()) << plan.status();
  Explorer explorer(*plan, kPath, ExplorerOptions());
  absl::StatusOr<Report> report = explorer.Run();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->expectations_met());
  EXPECT_EQ(report->backend(), "threads");
  EXPECT_EQ(report->strategy(), "os");
  const ViolationReport* v = FindViolation(*report, kUnderIo);
  ASSERT_NE(v, nullptr);
  EXPECT_TRUE(v->minimized_token().empty());
  EXPECT_GE(v->fault_fires(), 1u);
  absl::StatusOr<ReplayToken> token = DecodeReplayToken(v->replay_token());
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(token->strategy, static_cast<uint8_t>(StrategyKind::kThreads));
  EXPECT_TRUE(token->switches.empty());
  EXPECT_EQ(token->seed, v->iteration_seed());

  const std::vector<std::string> rows = TableRows(v->rendered_table());
  ASSERT_FALSE(rows.empty());
  for (const char* needle :
       {"try_release_extent_buffer: clear TREE_REF", "set io_pages",
        "release_extent_buffer: refs -> 0"}) {
    const std::string want = Squeeze(needle);
    EXPECT_TRUE(std::any_of(rows.begin(), rows.end(),
                            [&](const std::string& row) {
                              return row.find(want) != std::string::npos;
                            }))
        << "no row \"" << needle << "\" in:\n"
        << v->rendered_table();
  }
  // The BUG_ON row comes after the steps that led to it. Real threads keep
  // running after it, so other tasks' rows (endio's fault) may follow it.
  const auto bug =
      std::find_if(rows.begin(), rows.end(), [](const std::string& row) {
        return row.find(kUnderIo) != std::string::npos;
      });
  ASSERT_NE(bug, rows.end()) << v->rendered_table();
  const auto refs_zero =
      std::find_if(rows.begin(), rows.end(), [](const std::string& row) {
        return row.find(Squeeze("release_extent_buffer: refs -> 0")) !=
               std::string::npos;
      });
  EXPECT_LT(refs_zero - rows.begin(), bug - rows.begin())
      << v->rendered_table();
}

}  // namespace
}  // namespace faultline
