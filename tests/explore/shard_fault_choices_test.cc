// Goal: a DPOR search that branches on fault choices splits across shards
// (fault_choices.h): the shards agree on the fire sets, each searches its
// share of every one, and together they run at least what one shard alone
// runs, every shard complete over its share.
// Method: plans/eb_2013_release_postfix.textproto (806 classes) with a
// branching trylock_page failure added (two fire sets: none, and the first
// hit failing), run whole and as shards 0..2 of 3 in process; assertions
// on the reports only.
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

using ::faultline::testing_explore::Explore;
using ::faultline::testing_explore::Fast;

constexpr char kPlan[] = "plans/eb_2013_release_postfix.textproto";
constexpr char kBothSearched[] =
    "2 fault-choice combinations (2 searched to the end)";

Plan BranchingPlan() {
  absl::StatusOr<Plan> plan = LoadPlanFile(kPlan);
  EXPECT_TRUE(plan.ok()) << plan.status();
  Rule* rule = plan->add_rules();
  rule->set_name("trylock_page may fail");
  rule->set_point("mm.trylock_page");
  rule->set_branch(true);
  rule->set_max_fires(1);
  rule->mutable_fail();
  return *plan;
}

TEST(ShardedFaultChoices, EveryShardSearchesItsShareOfEveryFireSet) {
  const Plan plan = BranchingPlan();
  const Report whole = Explore(plan, Fast());
  ASSERT_TRUE(whole.complete()) << whole.strategy_summary();
  ASSERT_NE(whole.strategy_summary().find(kBothSearched), std::string::npos)
      << whole.strategy_summary();
  uint64_t run = 0;
  uint64_t subtrees = 0;
  uint64_t total = 0;
  for (uint32_t shard = 0; shard < 3; ++shard) {
    ExplorerOptions options = Fast();
    options.shard_index = shard;
    options.total_shards = 3;
    const Report part = Explore(plan, options);
    EXPECT_TRUE(part.shard_note().empty()) << part.shard_note();
    EXPECT_GT(part.iterations_run(), 0u) << "shard " << shard;
    EXPECT_TRUE(part.complete()) << "shard " << shard;
    EXPECT_TRUE(part.expectations_met()) << "shard " << shard;
    EXPECT_NE(part.strategy_summary().find(kBothSearched), std::string::npos)
        << part.strategy_summary();
    if (shard == 0) total = part.split_subtrees_total();
    EXPECT_EQ(part.split_subtrees_total(), total) << "shard " << shard;
    subtrees += part.split_subtrees_here();
    run += part.iterations_run();
  }
  EXPECT_EQ(subtrees, total);
  // The split tree's top is a sleep-set search: it may add blocked runs,
  // never lose a class.
  EXPECT_GE(run, whole.iterations_run());
}

}  // namespace
}  // namespace faultline
