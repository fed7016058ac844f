// Goal: the fiber backend's contract: virtual time, clean aborts (the
// failing task and every other task unwind, the process keeps running),
// deadlock reports naming waiter, lock and holder, the step budget, step
// and quiescence checks, tasks spawned by tasks, wait queues, completions
// and RCU grace periods, fault points as scheduling points.
// Method: small worlds built inline, run with RunIteration on the fiber
// backend (default choices unless a strategy matters), checking results,
// violations and destructor side effects.
#include <chrono>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "framework/check.h"
#include "framework/fault_point.h"
#include "framework/runtime/atomic.h"
#include "framework/runtime/rcu.h"
#include "framework/runtime/spin_lock.h"
#include "framework/runtime/this_task.h"
#include "framework/runtime/wait_queue.h"
#include "gtest/gtest.h"
#include "tests/runtime/programs.h"

namespace faultline {
namespace {

using testing_programs::FromBuild;
using testing_programs::HasViolation;
using testing_programs::RunFibers;

TEST(FiberBackend, SleepOfOneSecondIsVirtual) {
  int64_t before = -1, after = -1;
  const ScenarioInfo program = FromBuild([&](World& world) {
    world.Spawn("sleeper", [&] {
      before = this_task::NowNs();
      this_task::SleepFor(absl::Seconds(1));
      after = this_task::NowNs();
    });
  });
  const auto start = std::chrono::steady_clock::now();
  IterationResult result = RunFibers(program, nullptr, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start,
            std::chrono::milliseconds(500));
  EXPECT_EQ(before, 0);
  // One second plus the virtual cost of the few steps around the sleep.
  EXPECT_GE(after, 1000000000);
  EXPECT_LT(after, 1000000000 + 1000);
  EXPECT_EQ(result.virtual_ns, after);
}

TEST(FiberBackend, SleeperWakesAfterDeadlineWhileOthersRun) {
  int spins_before_wake = -1;
  const ScenarioInfo program = FromBuild([&](World& world) {
    auto* woke = world.Make<Atomic<int>>(0, "woke");
    world.Spawn("sleeper", [woke] {
      this_task::SleepFor(absl::Nanoseconds(1000));  // 10 steps of 100 ns
      woke->store(1);
    });
    world.Spawn("spinner", [&, woke] {
      int spins = 0;
      while (woke->load() == 0) {
        ++spins;
        this_task::Yield();  // lets the sleeper run once it is due
      }
      spins_before_wake = spins;
    });
  });
  IterationResult result = RunFibers(program, nullptr, 0);
  EXPECT_TRUE(result.violations.empty());
  // Each spin is two steps (load, yield): ~5 spins reach the deadline.
  EXPECT_GE(spins_before_wake, 3);
  EXPECT_LE(spins_before_wake, 7);
}

TEST(FiberBackend, SleepersWakeInDeadlineOrder) {
  std::vector<std::string> order;
  const ScenarioInfo program = FromBuild([&](World& world) {
    for (int ms : {30, 10, 20}) {
      world.Spawn("s" + std::to_string(ms), [&order, ms] {
        this_task::SleepFor(absl::Milliseconds(ms));
        order.push_back(this_task::Name());
      });
    }
  });
  RunFibers(program, nullptr, 0);
  EXPECT_EQ(order, (std::vector<std::string>{"s10", "s20", "s30"}));
}

// Counts destructions, to prove tasks unwind after an abort.
struct Unwound {
  explicit Unwound(int* count) : count(count) {}
  ~Unwound() { ++*count; }
  int* count;
};

TEST(FiberBackend, BugOnAbortsCleanlyAndUnwindsEveryTask) {
  int unwound = 0;
  bool after_bug = false, quiescence_ran = false;
  const ScenarioInfo program = FromBuild([&](World& world) {
    auto* x = world.Make<Atomic<int>>(0, "x");
    auto* lock = world.Make<SpinLock>("l");
    world.Spawn("holder", [&, x, lock] {
      Unwound guard(&unwound);
      SpinLockGuard held(lock);
      while (true) x->load();  // unwinds from its next scheduling point
    });
    world.Spawn("buggy", [&, x] {
      Unwound guard(&unwound);
      x->store(1);
      FL_BUG_ON(x->Peek() == 1, "test.bug");
      after_bug = true;
    });
    world.Spawn("waiter", [&, lock] {
      Unwound guard(&unwound);
      lock->Lock();  // blocked on the holder
      lock->Unlock();
    });
    world.AtQuiescence("q", [&] { quiescence_ran = true; });
  });
  auto strategy = NewRandomWalkStrategy(5);
  IterationResult result = RunFibers(program, strategy.get(), 1);
  ASSERT_EQ(result.violations.size(), 1u);
  EXPECT_EQ(result.violations[0].check, "test.bug");
  EXPECT_EQ(result.violations[0].task, "buggy");
  EXPECT_GT(result.violations[0].step, 0u);
  EXPECT_FALSE(after_bug);
  EXPECT_FALSE(quiescence_ran);
  EXPECT_EQ(unwound, 3);
}

TEST(FiberBackend, DeadlockNamesWaitersLocksAndHolders) {
  auto strategy = NewRandomWalkStrategy(1);
  IterationResult result;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    result =
        RunFibers(testing_programs::LockOrderDeadlock(), strategy.get(), seed);
    if (HasViolation(result, "deadlock")) break;
  }
  ASSERT_TRUE(HasViolation(result, "deadlock"));
  const std::string& message = result.violations[0].message;
  EXPECT_NE(message.find("task 'ab' (#1) waits for spinlock 'lock_b' held by "
                         "'ba' (#2)"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("task 'ba' (#2) waits for spinlock 'lock_a' held by "
                         "'ab' (#1)"),
            std::string::npos)
      << message;
}

TEST(FiberBackend, MutexDeadlockOnWaitQueueSaysNobodyWakes) {
  const ScenarioInfo program = FromBuild([](World& world) {
    auto* m = world.Make<Mutex>("page_lock");
    auto* q = world.Make<WaitQueue>("io_wait");
    world.Spawn("locker", [m, q] {
      m->Lock();
      q->WaitUntil([] { return false; });
    });
    world.Spawn("other", [m] { m->Lock(); });
  });
  IterationResult result = RunFibers(program, nullptr, 0);
  ASSERT_TRUE(HasViolation(result, "deadlock"));
  const std::string& message = result.violations[0].message;
  EXPECT_NE(message.find("'locker' (#1) waits for wait_queue 'io_wait' (no "
                         "task will wake it)"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("'other' (#2) waits for mutex 'page_lock' held by "
                         "'locker' (#1)"),
            std::string::npos)
      << message;
}

TEST(FiberBackend, StepBudgetReportsLivelock) {
  const ScenarioInfo program = FromBuild([](World& world) {
    auto* flag = world.Make<Atomic<int>>(0, "flag");
    world.Spawn("spinner", [flag] {
      while (flag->load() == 0) this_task::Yield();
    });
  });
  IterationResult result = RunFibers(program, nullptr, 0, /*max_steps=*/500);
  ASSERT_TRUE(HasViolation(result, "livelock.step_budget"));
  EXPECT_EQ(result.steps, 501u);
}

// The budget may run out on any step, a release in a guard's destructor
// included: every budget from 1 to 40 ends as the violation, never as an
// exception thrown out of a destructor (std::terminate).
TEST(FiberBackend, StepBudgetOnAReleaseIsAViolationToo) {
  const ScenarioInfo program = FromBuild([](World& world) {
    auto* lock = world.Make<SpinLock>("lock");
    auto* queue = world.Make<WaitQueue>("queue");
    auto* x = world.Make<Atomic<int>>(0, "x");
    for (const char* name : {"a", "b"}) {
      world.Spawn(name, [=] {
        for (;;) {
          SpinLockGuard guard(lock);
          x->store(x->load() + 1);
          queue->WakeAll();
        }
      });
    }
  });
  for (uint64_t budget = 1; budget <= 40; ++budget) {
    IterationResult result = RunFibers(program, nullptr, 0, budget);
    ASSERT_EQ(result.violations.size(), 1u) << "max_steps " << budget;
    EXPECT_EQ(result.violations[0].check, "livelock.step_budget");
    EXPECT_EQ(result.steps, budget + 1);
  }
}

// A world object whose destructor finds a bug: recorded, not thrown out of
// the destructor.
TEST(FiberBackend, BugOnInATeardownDestructorIsRecorded) {
  struct Checked {
    ~Checked() { FL_BUG_ON(true, "teardown.leak"); }
  };
  const ScenarioInfo program = FromBuild([](World& world) {
    world.Make<Checked>();
    world.Spawn("t", [] { this_task::Yield(); });
  });
  IterationResult result = RunFibers(program, nullptr, 0);
  ASSERT_EQ(result.violations.size(), 1u);
  EXPECT_EQ(result.violations[0].check, "teardown.leak");
}

TEST(FiberBackend, StepChecksRunAfterEveryStep) {
  int checks = 0;
  const ScenarioInfo program = FromBuild([&](World& world) {
    auto* x = world.Make<Atomic<int>>(0, "x");
    world.Spawn("t", [x] {
      for (int i = 0; i < 5; ++i) x->store(i + 1);
    });
    world.AtEveryStep("x.small", [&, x] {
      ++checks;
      FL_BUG_ON(x->Peek() > 3, "x.small");
    });
  });
  IterationResult result = RunFibers(program, nullptr, 0);
  ASSERT_TRUE(HasViolation(result, "x.small"));
  EXPECT_EQ(result.violations[0].step, 4u);  // after the 4th store
  EXPECT_EQ(checks, 5);
}

TEST(FiberBackend, TasksSpawnedByTasksRunAndGetNextOrdinal) {
  std::vector<std::string> ran;
  const ScenarioInfo program = FromBuild([&](World& world) {
    World* w = &world;
    auto* done = world.Make<Completion>("child_done");
    world.Spawn("parent", [&, w, done] {
      const uint32_t child = w->Spawn("child", [&, done] {
        ran.push_back(this_task::Name());
        done->Complete();
      });
      EXPECT_EQ(child, 2u);
      done->Wait();
      ran.push_back(this_task::Name());
    });
  });
  IterationResult result = RunFibers(program, nullptr, 0);
  EXPECT_TRUE(result.violations.empty());
  EXPECT_EQ(ran, (std::vector<std::string>{"child", "parent"}));
  ASSERT_EQ(result.trace.tasks.size(), 2u);
  EXPECT_EQ(result.trace.tasks[1].name, "child");
}

TEST(FiberBackend, WaitQueueTimeoutUsesVirtualTime) {
  bool got = true;
  int64_t now = 0;
  const ScenarioInfo program = FromBuild([&](World& world) {
    auto* q = world.Make<WaitQueue>("q");
    world.Spawn("waiter", [&, q] {
      got = q->WaitUntilFor([] { return false; }, 5000);
      now = this_task::NowNs();
    });
  });
  IterationResult result = RunFibers(program, nullptr, 0);
  EXPECT_TRUE(result.violations.empty());
  EXPECT_FALSE(got);
  EXPECT_GE(now, 5000);
  EXPECT_LT(now, 6000);
}

// Virtual time saturates: a sleep or a wait timeout of INT64_MAX ns ends at
// the end of time (INT64_MAX - 1) instead of overflowing into a negative
// deadline, which read as "no deadline" (a crash at the end of the run, or
// a false deadlock for a timed wait).
TEST(FiberBackend, SleepToTheEndOfTimeSaturates) {
  std::vector<int64_t> woke_at;
  const ScenarioInfo program = FromBuild([&](World& world) {
    auto* x = world.Make<Atomic<int>>(0, "x");
    world.Spawn("sleeper", [&, x] {
      this_task::SleepFor(absl::InfiniteDuration());
      woke_at.push_back(this_task::NowNs());
      x->store(1);  // steps after the end of time stay there
      this_task::SleepFor(absl::Nanoseconds(INT64_MAX));
      woke_at.push_back(this_task::NowNs());
    });
    world.Spawn("other", [x] { x->store(2); });
  });
  IterationResult result = RunFibers(program, nullptr, 0);
  EXPECT_TRUE(result.violations.empty()) << result.violations[0].message;
  EXPECT_EQ(woke_at, (std::vector<int64_t>{INT64_MAX - 1, INT64_MAX - 1}));
  EXPECT_EQ(result.virtual_ns, INT64_MAX - 1);
}

TEST(FiberBackend, WaitTimeoutNearInt64MaxTimesOutInsteadOfDeadlock) {
  bool got = true;
  const ScenarioInfo program = FromBuild([&](World& world) {
    auto* q = world.Make<WaitQueue>("q");
    world.Spawn("waiter", [&, q] {
      this_task::SleepFor(absl::Nanoseconds(10));
      got = q->WaitUntilFor([] { return false; }, INT64_MAX - 5);
    });
  });
  IterationResult result = RunFibers(program, nullptr, 0);
  EXPECT_TRUE(result.violations.empty()) << result.violations[0].message;
  EXPECT_FALSE(got);
  EXPECT_EQ(result.virtual_ns, INT64_MAX - 1);
}

TEST(FiberBackend, RcuCallbackWaitsForOpenReaders) {
  std::vector<std::string> events;
  const ScenarioInfo program = FromBuild([&](World& world) {
    auto* rcu = world.Make<Rcu>("rcu");
    auto* x = world.Make<Atomic<int>>(0, "x");
    world.Spawn("reader", [&, rcu, x] {
      RcuReadGuard guard(rcu);
      x->store(1);
      this_task::Yield();
      x->store(2);
      events.push_back("reader done");
    });
    world.Spawn("updater", [&, rcu, x] {
      while (x->load() == 0) this_task::Yield();
      rcu->CallRcu([&] { events.push_back("callback"); });
    });
  });
  IterationResult result = RunFibers(program, nullptr, 0);
  EXPECT_TRUE(result.violations.empty());
  EXPECT_EQ(events, (std::vector<std::string>{"reader done", "callback"}));
}

TEST(FiberBackend, FaultPointsAreSchedulingPoints) {
  const ScenarioInfo program = FromBuild([](World& world) {
    world.Spawn("a", [] { FL_FAULT_POINT("runtime_test.point_a"); });
    world.Spawn("b", [] { FL_FAULT_POINT("runtime_test.point_b"); });
  });
  IterationResult result = RunFibers(program, nullptr, 0);
  EXPECT_EQ(result.steps, 2u);
  uint64_t reached = 0;
  for (const PointCounters& p : result.points) reached += p.reached;
  EXPECT_EQ(reached, 2u);
}

TEST(FiberBackend, UncaughtExceptionIsAViolation) {
  const ScenarioInfo program = FromBuild([](World& world) {
    world.Spawn("thrower", [] { throw std::runtime_error("boom"); });
  });
  IterationResult result = RunFibers(program, nullptr, 0);
  ASSERT_TRUE(HasViolation(result, "task.exception"));
  EXPECT_NE(result.violations[0].message.find("boom"), std::string::npos);
}

// Virtual memory of this process, from /proc (Linux).
int64_t VmSizeKb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmSize:", 0) == 0) return std::stoll(line.substr(7));
  }
  return -1;
}

TEST(FiberBackend, FiberStacksAreReleasedAfterEachIteration) {
#if defined(__SANITIZE_ADDRESS__)
  // Its quarantine keeps freed memory mapped (256 MB by default), so the
  // address space grows whatever happens to stacks; alloc_test's
  // IterationsReuseFiberStacks checks the stacks themselves.
  GTEST_SKIP() << "VmSize is not meaningful under AddressSanitizer";
#endif
  const ScenarioInfo program = testing_programs::Stores(1, true);
  for (int i = 0; i < 20; ++i) RunFibers(program, nullptr, i);  // warm up
  const int64_t before = VmSizeKb();
  for (int i = 0; i < 500; ++i) RunFibers(program, nullptr, i);
  // Leaking two 260 KiB stacks per iteration would add ~260 MB.
  EXPECT_LT(VmSizeKb() - before, 20 * 1024);
}

TEST(FiberBackend, BuildErrorRunsNothing) {
  ScenarioInfo info;
  info.build = [](World& world, const ScenarioArgs&) {
    world.Spawn("never", [] { ADD_FAILURE() << "ran"; });
    return absl::InvalidArgumentError("bad param");
  };
  IterationResult result = RunFibers(info, nullptr, 0);
  EXPECT_EQ(result.build_status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(result.steps, 0u);
}

}  // namespace
}  // namespace faultline
