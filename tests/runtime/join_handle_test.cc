// Goal: JoinHandle::Join returns only after the joined task's body has
// returned, on both backends; a join that can never return is a deadlock
// naming the task; a schedule without the join does expose the race the
// join prevents (so the ordering checks below can fail).
// Method: a "main" task spawns children that store to shared Atomics, joins
// them, then checks what they wrote. Fibers: every schedule (exhaustive
// search without reduction) and random walks; threads: repeated real runs.
#include "framework/runtime/join_handle.h"

#include <string>

#include "framework/check.h"
#include "framework/runtime/atomic.h"
#include "framework/runtime/spin_lock.h"
#include "framework/runtime/strategies/strategy.h"
#include "gtest/gtest.h"
#include "tests/runtime/programs.h"

namespace faultline {
namespace {

using testing_programs::FromBuild;
using testing_programs::HasViolation;
using testing_programs::RunFibers;
using testing_programs::RunThreads;

// main spawns two writers and, if `join`, joins both before reading.
ScenarioInfo WritersThenRead(bool join) {
  return FromBuild([join](World& world) {
    auto* x = world.Make<Atomic<int>>(0, "x");
    auto* y = world.Make<Atomic<int>>(0, "y");
    world.Spawn("main", [&world, x, y, join] {
      JoinHandle a = JoinHandle::Spawn(world, "a", [x] {
        x->store(1);
        x->store(2);
      });
      JoinHandle b = JoinHandle::Spawn(world, "b", [y] { y->store(1); });
      if (join) {
        a.Join();
        b.Join();
        FL_BUG_ON(!a.PeekDone() || !b.PeekDone(), "join.done");
        a.Join();  // joining again returns at once
      }
      FL_BUG_ON(x->load() != 2 || y->load() != 1, "join.ordering");
    });
  });
}

struct Counts {
  int runs = 0;
  int violated = 0;
  bool complete = false;
};

Counts ExploreAll(const ScenarioInfo& scenario, const std::string& check) {
  ExhaustiveOptions options;
  options.reduction = false;
  auto strategy = NewExhaustiveStrategy(options);
  Counts counts;
  for (int i = 0; i < 100000; ++i) {
    IterationResult result = RunFibers(scenario, strategy.get(), i);
    if (!result.ran) break;
    ++counts.runs;
    if (HasViolation(result, check)) ++counts.violated;
  }
  counts.complete = strategy->Complete();
  return counts;
}

TEST(JoinHandle, FibersEveryScheduleSeesTheJoinedWrites) {
  Counts counts = ExploreAll(WritersThenRead(true), "join.ordering");
  EXPECT_TRUE(counts.complete);
  EXPECT_GT(counts.runs, 10);
  EXPECT_EQ(counts.violated, 0);
}

TEST(JoinHandle, FibersWithoutTheJoinTheReadRaces) {
  Counts counts = ExploreAll(WritersThenRead(false), "join.ordering");
  EXPECT_TRUE(counts.complete);
  EXPECT_GT(counts.violated, 0);
  EXPECT_LT(counts.violated, counts.runs);  // some schedules are lucky
}

TEST(JoinHandle, FibersRandomWalksNeverViolate) {
  auto strategy = NewRandomWalkStrategy(/*seed=*/3);
  const ScenarioInfo scenario = WritersThenRead(true);
  for (int i = 0; i < 200; ++i) {
    IterationResult result = RunFibers(scenario, strategy.get(), i);
    ASSERT_TRUE(result.ran);
    EXPECT_TRUE(result.violations.empty())
        << result.violations[0].check << ": " << result.violations[0].message;
  }
}

TEST(JoinHandle, JoiningATaskBlockedOnTheJoinersLockIsADeadlock) {
  const ScenarioInfo scenario = FromBuild([](World& world) {
    auto* lock = world.Make<Mutex>("m");
    world.Spawn("main", [&world, lock] {
      lock->Lock();
      JoinHandle child = JoinHandle::Spawn(world, "child", [lock] {
        lock->Lock();
        lock->Unlock();
      });
      child.Join();
      lock->Unlock();
    });
  });
  auto strategy = NewRandomWalkStrategy(/*seed=*/5);
  for (int i = 0; i < 20; ++i) {
    IterationResult result = RunFibers(scenario, strategy.get(), i);
    ASSERT_TRUE(HasViolation(result, "deadlock")) << i;
    EXPECT_NE(result.violations[0].message.find("exit:child"),
              std::string::npos)
        << result.violations[0].message;
  }
}

TEST(JoinHandle, ThreadsJoinWaitsForRealThreads) {
  const ScenarioInfo scenario = WritersThenRead(true);
  for (int i = 0; i < 30; ++i) {
    IterationResult result = RunThreads(scenario, i);
    ASSERT_TRUE(result.ran);
    EXPECT_TRUE(result.violations.empty())
        << result.violations[0].check << ": " << result.violations[0].message;
  }
}

TEST(JoinHandle, DefaultHandleJoinsNothing) {
  JoinHandle none;
  none.Join();
  EXPECT_TRUE(none.PeekDone());
  EXPECT_EQ(none.ordinal(), 0u);
}

}  // namespace
}  // namespace faultline
