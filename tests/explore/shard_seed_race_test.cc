// Goal: the pre-fix seed race, searched exhaustively and split across
// shards, is found by the shard that owns its subtree, and the split
// reports say how the tree was dealt out.
// Method: plans/seed_race_prefix_exhaustive.textproto with its `violation`
// expectation replaced by `no_violation` (a plan expecting a violation is
// not split: only one shard would find it), run in process as shards 0/2
// and 1/2. Each shard either finds the BUG_ON (with a replay token that
// reproduces it) or walks its whole share complete and clean; at least one
// shard finds it, and both report the same subtree total and split depth,
// with their subtree counts adding up to it.
#include <cstdint>
#include <string>

#include "framework/explore/explorer.h"
#include "framework/explore/explorer_options.h"
#include "framework/plan.pb.h"
#include "framework/plan_loader.h"
#include "gtest/gtest.h"
#include "tests/explore/explorer_harness.h"

namespace faultline {
namespace {

using ::faultline::testing_explore::ExpectReplayReproduces;
using ::faultline::testing_explore::FindViolation;
using ::faultline::testing_explore::kUnderIo;

constexpr char kPlan[] = "plans/seed_race_prefix_exhaustive.textproto";

TEST(ShardedExhaustive, TheShardOwningTheRaceFindsIt) {
  absl::StatusOr<Plan> plan = LoadPlanFile(kPlan);
  ASSERT_TRUE(plan.ok()) << plan.status();
  plan->clear_expect();
  plan->add_expect()->set_no_violation(true);
  int found = 0;
  uint64_t subtrees = 0;
  uint64_t total = 0;
  uint64_t depth = 0;
  for (uint32_t shard = 0; shard < 2; ++shard) {
    ExplorerOptions options;
    options.shard_index = shard;
    options.total_shards = 2;
    options.render = false;
    Explorer explorer(*plan, kPlan, options);
    absl::StatusOr<Report> report = explorer.Run();
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_TRUE(report->shard_note().empty()) << report->shard_note();
    EXPECT_GT(report->split_subtrees_here(), 0u);
    if (shard == 0) {
      total = report->split_subtrees_total();
      depth = report->split_depth();
      EXPECT_GE(total, 2u * 16u);
    } else {
      EXPECT_EQ(report->split_subtrees_total(), total);
      EXPECT_EQ(report->split_depth(), depth);
    }
    subtrees += report->split_subtrees_here();
    const ViolationReport* v = FindViolation(*report, kUnderIo);
    if (v != nullptr) {
      ++found;
      EXPECT_EQ(report->stop_reason(), "decided");
      ExpectReplayReproduces(*plan, v->replay_token(), kUnderIo);
    } else {
      // The other shard's share holds no race: it is walked to the end.
      EXPECT_TRUE(report->complete()) << "shard " << shard;
      EXPECT_TRUE(report->violations_by_check().empty());
    }
  }
  EXPECT_EQ(subtrees, total);
  EXPECT_GE(found, 1);
}

}  // namespace
}  // namespace faultline
