// Goal: a DPOR search that branches on fault choices splits across shards
// (fault_choices.h): the shards agree on the fire sets, each searches its
// share of every one, and together they run at least what one shard alone
// runs, every shard complete over its share.
// Method: plans/eb_2013_release_postfix.textproto (806 classes) with a
// branching trylock_page failure added (two fire sets: none, and the first
// hit failing), run whole and as shards 0..2 of 3 in process; assertions
// on the reports only.
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
using ::faultline::testing_explore::ExploreEveryShard;
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
  // The split tree's top is a sleep-set search: it may add blocked runs,
  // never lose a class.
  EXPECT_GE(ExploreEveryShard(plan, kBothSearched), whole.iterations_run());
}

}  // namespace
}  // namespace faultline
