// Goal: iterative preemption bounding runs bound 0, 1, 2, ... as separate
// searches, counts their schedules summed (as the literature counts them),
// ends with the first round its bound did not cut (that round is the whole
// unbounded search, so it is complete) or at the largest bound asked for,
// and so finds a bug at the fewest preemptions that show it.
// Method: small programs (tests/runtime/programs.h and one made here) run
// under NewIterativeBoundingStrategy over the exhaustive and DPOR
// strategies, against separate bounded and unbounded searches of the same
// program.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "framework/runtime/atomic.h"
#include "framework/runtime/iteration.h"
#include "framework/runtime/strategies/strategy.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/runtime/programs.h"

namespace faultline {
namespace {

using ::testing::HasSubstr;
using testing_programs::FromBuild;
using testing_programs::HasViolation;

struct Walk {
  uint64_t runs = 0;
  uint64_t first_failure_run = 0;  // 1-based; 0 = none
  int first_failure_preemptions = -1;
  bool complete = false;
  uint64_t schedules = 0;
  std::string summary;
};

// Runs `strategy` to the end (or max_runs), noting the first run that
// violates `check` ("" = none looked for).
Walk WalkAll(const ScenarioInfo& program, Strategy& strategy,
             const std::string& check = "", uint64_t max_runs = 100000) {
  Walk walk;
  for (uint64_t i = 0; i < max_runs; ++i) {
    IterationConfig config;
    config.strategy = &strategy;
    config.scenario = &program;
    config.seed = 0;  // one program: fault decisions stay the same
    // DPOR's rounds run under its step model, as the explorer runs them.
    config.dpor = strategy.kind() == StrategyKind::kDpor;
    IterationResult result = RunIteration(config);
    if (!result.ran) break;
    ++walk.runs;
    if (!check.empty() && walk.first_failure_run == 0 &&
        HasViolation(result, check)) {
      walk.first_failure_run = walk.runs;
      walk.first_failure_preemptions = 0;
      for (const TraceSwitch& s : result.trace.switches) {
        walk.first_failure_preemptions += s.preemption ? 1 : 0;
      }
    }
  }
  walk.complete = strategy.Complete();
  walk.schedules = strategy.Schedules();
  walk.summary = strategy.Summary();
  return walk;
}

std::unique_ptr<Strategy> Exhaustive(int bound) {
  ExhaustiveOptions options;
  options.preemption_bound = bound;
  return NewExhaustiveStrategy(options);
}

std::unique_ptr<Strategy> IterativeExhaustive(int max_bound = -1) {
  return NewIterativeBoundingStrategy(Exhaustive, max_bound);
}

// Three tasks, three shared steps each: more than one preemption is needed
// for some orders, so bounds 0 and 1 cut something.
ScenarioInfo ThreeWriters() {
  return FromBuild([](World& world) {
    auto* x = world.Make<Atomic<int>>(0, "x");
    for (int t = 0; t < 3; ++t) {
      world.Spawn(absl::StrCat("t", t), [x, t] {
        for (int i = 0; i < 3; ++i) x->store(t * 10 + i);
      });
    }
  });
}

TEST(IterativeBounding, SumsTheRoundsAndEndsWhenABoundCutsNothing) {
  const ScenarioInfo program = ThreeWriters();
  std::unique_ptr<Strategy> iterative = IterativeExhaustive();
  const Walk walk = WalkAll(program, *iterative);
  ASSERT_TRUE(walk.complete) << walk.summary;

  // The rounds are the separate bounded searches, up to the first bound
  // that cut nothing; their schedules add up.
  uint64_t summed = 0;
  int last = -1;
  for (int bound = 0;; ++bound) {
    std::unique_ptr<Strategy> round = Exhaustive(bound);
    const Walk alone = WalkAll(program, *round);
    ASSERT_TRUE(alone.complete) << alone.summary;
    summed += alone.schedules;
    if (!round->BoundCut()) {
      last = bound;
      break;
    }
  }
  EXPECT_GE(last, 2) << "the program should need several rounds";
  EXPECT_EQ(walk.schedules, summed) << walk.summary;
  EXPECT_THAT(walk.summary,
              HasSubstr(absl::StrCat("complete: bound ", last,
                                     " cut nothing, so every schedule")));

  // The last round is the unbounded search.
  std::unique_ptr<Strategy> unbounded = Exhaustive(-1);
  const Walk whole = WalkAll(program, *unbounded);
  EXPECT_THAT(walk.summary,
              HasSubstr(absl::StrCat("bound ", last, ": ", whole.schedules)));
  EXPECT_FALSE(unbounded->BoundCut());
}

TEST(IterativeBounding, StopsAtTheLargestBoundAskedFor) {
  const ScenarioInfo program = ThreeWriters();
  std::unique_ptr<Strategy> iterative = IterativeExhaustive(/*max_bound=*/1);
  const Walk walk = WalkAll(program, *iterative);
  std::unique_ptr<Strategy> b0 = Exhaustive(0);
  std::unique_ptr<Strategy> b1 = Exhaustive(1);
  const uint64_t expected =
      WalkAll(program, *b0).schedules + WalkAll(program, *b1).schedules;
  EXPECT_TRUE(walk.complete);
  EXPECT_TRUE(iterative->BoundCut());
  EXPECT_EQ(walk.schedules, expected);
  EXPECT_THAT(walk.summary, HasSubstr("complete within 1 preemptions"));
}

TEST(IterativeBounding, FindsALostUpdateAtOnePreemption) {
  const ScenarioInfo program = testing_programs::LostUpdate();
  std::unique_ptr<Strategy> b0 = Exhaustive(0);
  const Walk zero = WalkAll(program, *b0, "lost_update");
  ASSERT_TRUE(zero.complete);
  ASSERT_EQ(zero.first_failure_run, 0u) << "bound 0 cannot lose an update";

  std::unique_ptr<Strategy> iterative = IterativeExhaustive();
  const Walk walk = WalkAll(program, *iterative, "lost_update");
  ASSERT_GT(walk.first_failure_run, 0u) << walk.summary;
  EXPECT_EQ(walk.first_failure_preemptions, 1);
  // Found in round 1, after the whole of round 0.
  EXPECT_GT(walk.first_failure_run, zero.runs);
}

TEST(IterativeBounding, OverDporTheLastRoundIsTheUnboundedClasses) {
  const ScenarioInfo program = ThreeWriters();
  std::unique_ptr<Strategy> iterative = NewIterativeBoundingStrategy(
      [](int bound) {
        DporOptions options;
        options.preemption_bound = bound;
        return NewDporStrategy(options);
      },
      -1);
  const Walk walk = WalkAll(program, *iterative);
  ASSERT_TRUE(walk.complete) << walk.summary;
  std::unique_ptr<Strategy> unbounded = NewDporStrategy(DporOptions{});
  const Walk whole = WalkAll(program, *unbounded);
  ASSERT_TRUE(whole.complete);
  EXPECT_THAT(walk.summary,
              HasSubstr(absl::StrCat(": ", whole.schedules, "; ")));
  EXPECT_THAT(walk.summary, HasSubstr("cut nothing"));
  EXPECT_EQ(iterative->kind(), StrategyKind::kDpor);
}

}  // namespace
}  // namespace faultline
