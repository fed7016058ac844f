// Goal: every strategy finds each of the three classic bugs (a lost update
// on load/store, a refcount that drops to zero while a lookup uses it, a
// lock-order deadlock), and none is reported for the fixed refcount code.
// Method: run each tiny program (tests/runtime/programs.h) for a bounded
// number of iterations under random walk, PCT and exhaustive search, and
// check the named violation shows up. Budgets are generous multiples of
// what the seeds used here need, yet the whole file runs in well under a
// second.
#include "framework/runtime/strategies/strategy.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "tests/runtime/programs.h"

namespace faultline {
namespace {

using testing_programs::IterationsToFind;
using testing_programs::LockOrderDeadlock;
using testing_programs::LostUpdate;
using testing_programs::RefcountDrop;

struct Bug {
  const char* name;
  ScenarioInfo (*program)();
  const char* check;
};

ScenarioInfo BuggyRefcount() { return RefcountDrop(false); }

const Bug kBugs[] = {
    {"lost_update", &LostUpdate, "lost_update"},
    {"refcount", &BuggyRefcount, "refcount.use_after_free"},
    {"deadlock", &LockOrderDeadlock, "deadlock"},
};

TEST(Strategies, RandomWalkFindsEachBug) {
  for (const Bug& bug : kBugs) {
    auto strategy = NewRandomWalkStrategy(/*seed=*/1);
    EXPECT_GT(IterationsToFind(bug.program(), *strategy, bug.check, 200), 0)
        << bug.name;
  }
}

TEST(Strategies, PctFindsEachBug) {
  for (const Bug& bug : kBugs) {
    auto strategy = NewPctStrategy(/*seed=*/1, /*depth=*/2);
    EXPECT_GT(IterationsToFind(bug.program(), *strategy, bug.check, 200), 0)
        << bug.name;
  }
}

TEST(Strategies, ExhaustiveFindsEachBug) {
  for (const Bug& bug : kBugs) {
    for (bool reduction : {false, true}) {
      ExhaustiveOptions options;
      options.reduction = reduction;
      auto strategy = NewExhaustiveStrategy(options);
      EXPECT_GT(IterationsToFind(bug.program(), *strategy, bug.check, 500), 0)
          << bug.name << " reduction=" << reduction;
    }
  }
}

TEST(Strategies, ExhaustiveFindsNothingInFixedRefcountAndCompletes) {
  ExhaustiveOptions options;
  auto strategy = NewExhaustiveStrategy(options);
  EXPECT_EQ(IterationsToFind(RefcountDrop(/*fixed=*/true), *strategy,
                             "refcount.use_after_free", 1000),
            -1);
  EXPECT_TRUE(strategy->Complete()) << strategy->Summary();
}

TEST(Strategies, DefaultChoiceKeepsCurrentElseLowest) {
  const uint32_t runnable[] = {2, 3, 5};
  SchedulingPoint point;
  point.runnable = runnable;
  point.current = 3;
  EXPECT_EQ(DefaultChoice(point), 3u);
  EXPECT_FALSE(IsPreemption(point, 3));
  EXPECT_TRUE(IsPreemption(point, 5));
  point.current = 4;  // blocked or yielded: not runnable
  EXPECT_EQ(DefaultChoice(point), 2u);
  EXPECT_FALSE(IsPreemption(point, 5));
}

TEST(Strategies, FootprintsConflictOnSameObjectWithAWrite) {
  using Access = Footprint::Access;
  const Footprint read1{internal::OpKind::kLoad, 1, Access::kRead};
  const Footprint write1{internal::OpKind::kStore, 1, Access::kWrite};
  const Footprint write2{internal::OpKind::kStore, 2, Access::kWrite};
  const Footprint none{internal::OpKind::kYield, 0, Access::kNone};
  const Footprint global{internal::OpKind::kSpawn, 3, Access::kGlobal};
  EXPECT_FALSE(Conflicts(read1, read1));
  EXPECT_TRUE(Conflicts(read1, write1));
  EXPECT_FALSE(Conflicts(write1, write2));
  EXPECT_FALSE(Conflicts(none, write1));
  EXPECT_TRUE(Conflicts(global, write2));
  EXPECT_EQ(AccessOf(internal::OpKind::kLock), Access::kWrite);
}

TEST(Strategies, RandomWalkIsDeterministicPerSeed) {
  auto a = NewRandomWalkStrategy(9);
  auto b = NewRandomWalkStrategy(9);
  const ScenarioInfo program = LostUpdate();
  for (uint64_t seed = 0; seed < 20; ++seed) {
    EXPECT_EQ(testing_programs::RunFibers(program, a.get(), seed).trace.hash,
              testing_programs::RunFibers(program, b.get(), seed).trace.hash);
  }
}

}  // namespace
}  // namespace faultline
