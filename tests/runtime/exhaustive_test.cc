// Goal: the exhaustive strategy explores exactly the hand-computed number of
// schedules, with and without the sleep-set reduction and under preemption
// bounds, and says "complete" when the tree is exhausted.
// Method: two tasks a and b, each doing two stores (a1 a2, b1 b2), run until
// the strategy reports Complete(); count schedules from its Summary() and
// from the number of iterations that ran.
//
// Hand computation (steps = the four stores; a task's exit hands the step on
// but executes nothing):
//   - All interleavings of a1 a2 with b1 b2 keeping each task's order:
//     C(4, 2) = 6 (aabb abab abba baab baba bbaa).
//   - Independent stores (own objects): every interleaving is equivalent, so
//     the reduction leaves 1 schedule; the other runs are cut by sleep sets.
//   - Conflicting stores (one shared object): every pair of a-store and
//     b-store conflicts, so all 6 orders are distinct: 6 with or without it.
//   - Preemption bound 0 (no reduction): a switch away from a runnable task
//     is a preemption; the first choice and the choice after a task exits are
//     not. Bound 0 allows aabb and bbaa: 2. Bound 1 adds abba and baab (one
//     preemption each); abab and baba need 2: total 4.
//   - Three stores each, no reduction: C(6, 3) = 20.
#include <string>

#include "framework/runtime/strategies/strategy.h"
#include "gtest/gtest.h"
#include "tests/runtime/programs.h"

namespace faultline {
namespace {

using testing_programs::RunFibers;
using testing_programs::Stores;

struct Outcome {
  int runs = 0;
  std::string summary;
  bool complete = false;
};

Outcome Explore(const ScenarioInfo& scenario, ExhaustiveOptions options) {
  auto strategy = NewExhaustiveStrategy(options);
  Outcome out;
  for (int i = 0; i < 1000; ++i) {
    IterationResult result = RunFibers(scenario, strategy.get(), i);
    if (!result.ran) break;
    EXPECT_TRUE(result.strategy_status.ok()) << result.strategy_status;
    ++out.runs;
  }
  out.summary = strategy->Summary();
  out.complete = strategy->Complete();
  return out;
}

ExhaustiveOptions Options(bool reduction, int bound = -1) {
  ExhaustiveOptions options;
  options.reduction = reduction;
  options.preemption_bound = bound;
  return options;
}

TEST(Exhaustive, IndependentOpsWithoutReductionRunsAllSixInterleavings) {
  Outcome out = Explore(Stores(2, /*conflicting=*/false), Options(false));
  EXPECT_TRUE(out.complete);
  EXPECT_EQ(out.runs, 6);
  EXPECT_NE(out.summary.find("complete: 6 schedules"), std::string::npos)
      << out.summary;
}

TEST(Exhaustive, IndependentOpsWithReductionCountOneSchedule) {
  Outcome out = Explore(Stores(2, /*conflicting=*/false), Options(true));
  EXPECT_TRUE(out.complete);
  EXPECT_NE(out.summary.find("complete: 1 schedules"), std::string::npos)
      << out.summary;
  EXPECT_LT(out.runs, 6);
}

TEST(Exhaustive, ConflictingOpsKeepAllSixWithOrWithoutReduction) {
  for (bool reduction : {false, true}) {
    Outcome out = Explore(Stores(2, /*conflicting=*/true), Options(reduction));
    EXPECT_TRUE(out.complete);
    EXPECT_EQ(out.runs, 6) << "reduction=" << reduction;
    EXPECT_NE(out.summary.find("complete: 6 schedules"), std::string::npos)
        << out.summary;
  }
}

TEST(Exhaustive, PreemptionBoundLimitsSchedules) {
  EXPECT_EQ(Explore(Stores(2, true), Options(false, 0)).runs, 2);
  EXPECT_EQ(Explore(Stores(2, true), Options(false, 1)).runs, 4);
  EXPECT_EQ(Explore(Stores(2, true), Options(false, 2)).runs, 6);
}

TEST(Exhaustive, ThreeOpsEachGiveTwentyInterleavings) {
  Outcome out = Explore(Stores(3, true), Options(false));
  EXPECT_TRUE(out.complete);
  EXPECT_EQ(out.runs, 20);
}

TEST(Exhaustive, ReportsNoMoreSchedulesAfterCompletion) {
  auto strategy = NewExhaustiveStrategy(Options(true));
  const ScenarioInfo scenario = Stores(1, true);
  int runs = 0;
  while (RunFibers(scenario, strategy.get(), runs).ran) ++runs;
  EXPECT_EQ(runs, 2);  // ab, ba
  EXPECT_TRUE(strategy->Complete());
  EXPECT_FALSE(RunFibers(scenario, strategy.get(), 99).ran);
}

}  // namespace
}  // namespace faultline
