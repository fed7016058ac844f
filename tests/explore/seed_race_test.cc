// Goal: the explorer finds the btrfs seed race on fibers, minimizes it and
// renders it as the race it is, with a minimized token that replays against
// the plan file. (On real threads: seed_race_threads_test.cc, which
// tools/test also runs under ThreadSanitizer.)
// Method: plans/seed_race_prefix*.textproto loaded by path and run in process
// with Explorer::Run; assertions on the Report and its rendered table. The
// PCT plan's minimized table is pinned whole in
// tests/explore/testdata/seed_race_prefix_table.txt (README.md and
// docs/btrfs_eb.md show it): a change to it is a change to what users read
// and is re-pinned on purpose (the test writes the table it got to
// $TEST_UNDECLARED_OUTPUTS_DIR).
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "framework/explore/explorer.h"
#include "framework/explore/explorer_options.h"
#include "framework/plan.pb.h"
#include "framework/plan_loader.h"
#include "framework/runtime/trace/replay_token.h"
#include "gtest/gtest.h"
#include "tests/explore/explorer_harness.h"

namespace faultline {
namespace {

using ::faultline::testing_explore::ExpectReplayReproduces;
using ::faultline::testing_explore::FindViolation;
using ::faultline::testing_explore::kUnderIo;
using ::faultline::testing_explore::Squeeze;
using ::faultline::testing_explore::TableRows;

// The README's job: PCT finds the seed race before the fix; the minimized
// run is the race of the seed's commit message, row for row.
TEST(ExplorerSeedRace, FoundMinimizedAndRenderedInOrder) {
  absl::StatusOr<Plan> plan = LoadPlanFile("plans/seed_race_prefix.textproto");
  ASSERT_TRUE(plan.ok()) << plan.status();
  ExplorerOptions options;
  options.collect_all = false;  // stop at the first BUG_ON
  Explorer explorer(*plan, "plans/seed_race_prefix.textproto", options);
  absl::StatusOr<Report> report = explorer.Run();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->expectations_met());
  EXPECT_EQ(report->stop_reason(), "decided");
  const ViolationReport* v = FindViolation(*report, kUnderIo);
  ASSERT_NE(v, nullptr);
  ASSERT_FALSE(v->minimized_token().empty());
  EXPECT_LE(v->minimized_preemptions(), 4u);

  // Each needle must be in a later row than the previous one.
  const std::vector<std::string> rows = TableRows(v->rendered_table());
  const std::vector<std::string> needles = {
      "try_release_extent_buffer: refs == 1",
      "find_extent_buffer: found, inc_not_zero refs 1->2",
      "try_release_extent_buffer: clear TREE_REF",
      "set io_pages",
      "release_extent_buffer: refs -> 0",
      kUnderIo,
  };
  size_t next = 0;
  for (const std::string& needle : needles) {
    const std::string want = Squeeze(needle);
    while (next < rows.size() && rows[next].find(want) == std::string::npos) {
      ++next;
    }
    ASSERT_LT(next, rows.size())
        << "no row \"" << needle << "\" after the previous one in:\n"
        << v->rendered_table();
    ++next;
  }

  constexpr char kGolden[] =
      "tests/explore/testdata/seed_race_prefix_table.txt";
  std::ifstream in(kGolden);
  ASSERT_TRUE(in.good()) << kGolden;
  std::stringstream golden;
  golden << in.rdbuf();
  if (golden.str() != v->rendered_table()) {
    if (const char* dir = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR")) {
      std::ofstream(absl::StrCat(dir, "/seed_race_prefix_table.txt"))
          << v->rendered_table();
    }
    ADD_FAILURE() << "the rendered table differs from " << kGolden
                  << "; it is now:\n"
                  << v->rendered_table();
  }
}

// The minimized token of a plan with delay rules replays against the plan
// file as written: report tokens never depend on a plan the minimizer
// changed (e.g. with shortened delays).
TEST(ExplorerSeedRace, MinimizedTokenReplaysAgainstThePlanFile) {
  absl::StatusOr<Plan> plan = LoadPlanFile("plans/seed_race_prefix.textproto");
  ASSERT_TRUE(plan.ok()) << plan.status();
  ExplorerOptions options;
  options.collect_all = false;
  options.render = false;
  Explorer explorer(*plan, "plans/seed_race_prefix.textproto", options);
  absl::StatusOr<Report> report = explorer.Run();
  ASSERT_TRUE(report.ok()) << report.status();
  const ViolationReport* v = FindViolation(*report, kUnderIo);
  ASSERT_NE(v, nullptr);
  absl::StatusOr<ReplayToken> token = DecodeReplayToken(v->minimized_token());
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(token->plan_hash, PlanHash(*plan));
  ExpectReplayReproduces(*plan, v->replay_token(), kUnderIo);
  ExpectReplayReproduces(*plan, v->minimized_token(), kUnderIo);
}

}  // namespace
}  // namespace faultline
