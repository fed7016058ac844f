// Goal: no iteration hangs the process. On fibers an iteration that takes
// longer than IterationConfig::wall_time_limit_ms of real time ends as the
// violation "livelock.wall_time" at its next step; one whose task never
// reaches a step again ends the process with status 1 and the violation's
// name, not a hang. Within the limit the guard changes nothing.
// Method: tasks that burn real time between instrumented operations (a busy
// loop on a volatile), run with short limits; the endless case in a death
// test.
#include <chrono>
#include <string>

#include "framework/runtime/atomic.h"
#include "framework/runtime/iteration.h"
#include "gtest/gtest.h"
#include "tests/runtime/programs.h"

namespace faultline {
namespace {

using testing_programs::FromBuild;
using testing_programs::HasViolation;

// Spins for `ms` of real time without any instrumented operation.
void BurnWallTime(int ms) {
  const auto end =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  volatile int sink = 0;
  while (std::chrono::steady_clock::now() < end) sink = sink + 1;
}

IterationResult RunWithLimit(const ScenarioInfo& scenario, int64_t limit_ms) {
  IterationConfig config;
  config.scenario = &scenario;
  config.wall_time_limit_ms = limit_ms;
  return RunIteration(config);
}

TEST(WallClockGuard, SlowIterationEndsAsLivelockWallTime) {
  int stores = 0;
  const ScenarioInfo program = FromBuild([&](World& world) {
    auto* x = world.Make<Atomic<int>>(0, "x");
    world.Spawn("slow", [&, x] {
      for (int i = 0; i < 1000; ++i) {
        BurnWallTime(20);
        x->store(i);
        ++stores;
      }
    });
  });
  IterationResult result = RunWithLimit(program, 100);
  ASSERT_EQ(result.violations.size(), 1u);
  EXPECT_EQ(result.violations[0].check, "livelock.wall_time");
  EXPECT_NE(result.violations[0].message.find("more than 100 ms"),
            std::string::npos)
      << result.violations[0].message;
  EXPECT_GT(stores, 0);
  EXPECT_LT(stores, 100);
}

TEST(WallClockGuard, WithinTheLimitNothingChanges) {
  const ScenarioInfo program = FromBuild([](World& world) {
    auto* x = world.Make<Atomic<int>>(0, "x");
    for (const char* name : {"a", "b"}) {
      world.Spawn(name, [x] {
        for (int i = 0; i < 50; ++i) x->fetch_add(1);
      });
    }
  });
  IterationResult guarded = RunWithLimit(program, 60000);
  IterationResult unguarded = RunWithLimit(program, 0);
  EXPECT_TRUE(guarded.violations.empty());
  EXPECT_EQ(guarded.trace.hash, unguarded.trace.hash);
  EXPECT_EQ(guarded.steps, unguarded.steps);
}

TEST(WallClockGuardDeathTest, EndlessLoopWithoutOperationsExitsWithStatus1) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const ScenarioInfo program = FromBuild([](World& world) {
    auto* x = world.Make<Atomic<int>>(0, "x");
    world.Spawn("stuck", [x] {
      x->store(1);
      volatile bool forever = true;
      while (forever) {
      }
    });
  });
  EXPECT_EXIT(RunWithLimit(program, 100), ::testing::ExitedWithCode(1),
              "livelock.wall_time: .* ran longer than 100 ms");
}

}  // namespace
}  // namespace faultline
