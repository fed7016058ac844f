// Goal: a scheduling step of the fiber backend does not allocate: the
// decision scratch, the trace and the strategy are preallocated, so the
// allocations of an iteration do not grow with its number of steps. And an
// iteration does not map new fiber stacks: they come back from the
// per-thread pool.
// Method: a counting global operator new; run the same two-task ping-pong
// (each step a yield, so every step is a decision and a fiber switch) with
// 4,000 and 40,000 steps and compare allocation counts. Per-step allocation
// would show up as ~36,000 extra; amortized vector growth is a handful.
// Stacks: count the pooled stacks after one iteration and after more.

#include "framework/runtime/atomic.h"
#include "framework/runtime/fiber/stack_pool.h"
#include "framework/runtime/this_task.h"
#include "framework/testing/counting_new.h"
#include "gtest/gtest.h"
#include "tests/runtime/programs.h"

namespace faultline {
namespace {

uint64_t AllocationsFor(int yields_per_task, bool record_events) {
  const ScenarioInfo program =
      testing_programs::FromBuild([yields_per_task](World& world) {
        auto* x = world.Make<Atomic<int>>(0, "x");
        for (const char* name : {"ping", "pong"}) {
          world.Spawn(name, [x, yields_per_task] {
            for (int i = 0; i < yields_per_task; ++i) {
              x->fetch_add(1);
              this_task::Yield();
            }
          });
        }
      });
  auto strategy = NewRandomWalkStrategy(1);
  IterationConfig config;
  config.scenario = &program;
  config.strategy = strategy.get();
  config.record_events = record_events;
  config.max_steps = 1000000;
  const uint64_t before = testing::AllocationCount();
  IterationResult result = RunIteration(config);
  const uint64_t after = testing::AllocationCount();
  EXPECT_TRUE(result.violations.empty());
  EXPECT_GE(result.steps, static_cast<uint64_t>(4 * yields_per_task));
  return after - before;
}

TEST(Allocation, StepsDoNotAllocate) {
  for (bool record_events : {false, true}) {
    AllocationsFor(100, record_events);  // warm up one-time statics
    const uint64_t small = AllocationsFor(1000, record_events);
    const uint64_t large = AllocationsFor(10000, record_events);
    // 36,000 more steps; vector doubling past the reserved capacity costs
    // a few allocations (the trace keeps every step).
    EXPECT_LT(large - small, 40u) << "record_events=" << record_events
                                  << " small=" << small << " large=" << large;
  }
}

TEST(Allocation, IterationsReuseFiberStacks) {
  AllocationsFor(10, false);
  // Both tasks' stacks came back to this thread's pool...
  const size_t pooled = internal::PooledStacksOnThisThread();
  EXPECT_GE(pooled, 2u);
  // ...and the next iterations take them from it instead of mapping more,
  // which would grow the pool towards its cap.
  for (int i = 0; i < 5; ++i) AllocationsFor(10, false);
  EXPECT_EQ(internal::PooledStacksOnThisThread(), pooled);
}

}  // namespace
}  // namespace faultline
