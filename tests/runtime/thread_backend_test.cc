// Goal: the thread backend runs the same programs on real threads: clean
// programs finish with their quiescence checks, FL_BUG_ON aborts every
// thread cleanly, spawned tasks run, and the watchdog turns a livelock or a
// deadlock into "watchdog.timeout" instead of a hang; with events recorded,
// the trace holds every operation with the values each thread saw.
// Method: the tiny programs of programs.h and inline worlds run with
// Backend::kThreads and short watchdog timeouts; a livelock spins on an
// instrumented load, a deadlock spins in SpinLock::Lock.
#include <chrono>
#include <map>
#include <set>
#include <string>

#include "absl/time/time.h"
#include "framework/check.h"
#include "framework/runtime/atomic.h"
#include "framework/runtime/spin_lock.h"
#include "framework/runtime/this_task.h"
#include "framework/runtime/wait_queue.h"
#include "gtest/gtest.h"
#include "tests/runtime/programs.h"

namespace faultline {
namespace {

using testing_programs::FromBuild;
using testing_programs::HasViolation;
using testing_programs::RunThreads;

TEST(ThreadBackend, FixedRefcountRunsCleanly) {
  for (uint64_t seed = 0; seed < 20; ++seed) {
    IterationResult result =
        RunThreads(testing_programs::RefcountDrop(/*fixed=*/true), seed);
    EXPECT_TRUE(result.violations.empty()) << result.violations[0].message;
    EXPECT_EQ(result.trace.tasks.size(), 2u);
  }
}

TEST(ThreadBackend, LockedCounterIsExactAndQuiescenceChecksRun) {
  bool checked = false;
  const ScenarioInfo program = FromBuild([&](World& world) {
    auto* lock = world.Make<SpinLock>("l");
    auto* x = world.Make<Atomic<int>>(0, "x");
    for (int t = 0; t < 4; ++t) {
      world.Spawn("inc" + std::to_string(t), [lock, x] {
        for (int i = 0; i < 1000; ++i) {
          SpinLockGuard guard(lock);
          x->store(x->load() + 1);
        }
      });
    }
    world.AtQuiescence("count", [&, x] {
      checked = true;
      FL_BUG_ON(x->Peek() != 4000, "count");
    });
  });
  IterationResult result = RunThreads(program, 0);
  EXPECT_TRUE(result.violations.empty());
  EXPECT_TRUE(checked);
}

TEST(ThreadBackend, BugOnAbortsAllThreads) {
  const ScenarioInfo program = FromBuild([](World& world) {
    auto* flag = world.Make<Atomic<int>>(0, "flag");
    world.Spawn("spinner", [flag] {
      while (flag->load() == 0) {
      }
    });
    world.Spawn("buggy", [] {
      this_task::SleepFor(absl::Milliseconds(5));
      FL_BUG_ON(true, "thread.bug");
    });
  });
  const auto start = std::chrono::steady_clock::now();
  IterationResult result = RunThreads(program, 0, /*timeout_ms=*/5000);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  ASSERT_EQ(result.violations.size(), 1u);
  EXPECT_EQ(result.violations[0].check, "thread.bug");
  EXPECT_EQ(result.violations[0].task, "buggy");
}

TEST(ThreadBackend, WatchdogFiresOnLivelock) {
  const ScenarioInfo program = FromBuild([](World& world) {
    auto* flag = world.Make<Atomic<int>>(0, "flag");
    world.Spawn("livelock", [flag] {
      while (flag->load() == 0) this_task::Yield();
    });
  });
  IterationResult result = RunThreads(program, 0, /*timeout_ms=*/100);
  ASSERT_TRUE(HasViolation(result, "watchdog.timeout"));
  EXPECT_NE(result.violations[0].message.find("task 'livelock' (#1) running"),
            std::string::npos)
      << result.violations[0].message;
}

// A sleep of INT64_MAX ns lasts until the watchdog, not 0 ns (the deadline
// used to overflow into the past).
TEST(ThreadBackend, EndlessSleepIsNotZero) {
  bool returned = false;
  const ScenarioInfo program = FromBuild([&](World& world) {
    world.Spawn("sleeper", [&] {
      this_task::SleepFor(absl::Nanoseconds(INT64_MAX));
      returned = true;
    });
  });
  IterationResult result = RunThreads(program, 0, /*timeout_ms=*/100);
  ASSERT_TRUE(HasViolation(result, "watchdog.timeout"));
  EXPECT_FALSE(returned);
}

// A quiescence check that takes a lock a finished task leaked: nobody can
// release it, so it is a reported deadlock (it used to spin forever).
TEST(ThreadBackend, QuiescenceCheckOnALeakedLockIsADeadlock) {
  const ScenarioInfo program = FromBuild([](World& world) {
    auto* lock = world.Make<SpinLock>("leaked");
    world.Spawn("leaker", [lock] { lock->Lock(); });
    world.AtQuiescence("lock.free", [lock] { SpinLockGuard guard(lock); });
  });
  const auto start = std::chrono::steady_clock::now();
  IterationResult result = RunThreads(program, 0, /*timeout_ms=*/5000);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  ASSERT_TRUE(HasViolation(result, "deadlock"));
  EXPECT_NE(result.violations[0].message.find("'leaked' held by task #1"),
            std::string::npos)
      << result.violations[0].message;
}

// A task that never reaches a scheduling point cannot be stopped: after the
// watchdog and its grace period the process exits with status 1 and says
// why (it used to abort with SIGABRT).
TEST(ThreadBackendDeathTest, UnstoppableTaskExitsWithStatus1) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const ScenarioInfo program = FromBuild([](World& world) {
    world.Spawn("stuck", [] {
      volatile bool forever = true;
      while (forever) {
      }
    });
  });
  EXPECT_EXIT(RunThreads(program, 0, /*timeout_ms=*/100),
              ::testing::ExitedWithCode(1),
              "watchdog.timeout: run exceeded 100 ms .*'stuck'");
}

TEST(ThreadBackend, WatchdogNamesLockHoldersInADeadlock) {
  const ScenarioInfo program = FromBuild([](World& world) {
    auto* a = world.Make<SpinLock>("lock_a");
    auto* b = world.Make<SpinLock>("lock_b");
    auto* both = world.Make<Completion>("both_hold");
    auto* holders = world.Make<Atomic<int>>(0, "holders");
    world.Spawn("ab", [=] {
      SpinLockGuard first(a);
      if (holders->fetch_add(1) == 1) both->Complete();
      both->Wait();
      SpinLockGuard second(b);
    });
    world.Spawn("ba", [=] {
      SpinLockGuard first(b);
      if (holders->fetch_add(1) == 1) both->Complete();
      both->Wait();
      SpinLockGuard second(a);
    });
  });
  IterationResult result = RunThreads(program, 0, /*timeout_ms=*/200);
  ASSERT_TRUE(HasViolation(result, "watchdog.timeout"));
  const std::string& message = result.violations[0].message;
  EXPECT_NE(message.find("'ab' (#1) waits for spinlock 'lock_b' held by 'ba'"),
            std::string::npos)
      << message;
}

TEST(ThreadBackend, TasksSpawnedByTasksRun) {
  const ScenarioInfo program = FromBuild([](World& world) {
    World* w = &world;
    auto* done = world.Make<Completion>("done");
    world.Spawn("parent", [w, done] {
      w->Spawn("child", [done] { done->Complete(); });
      done->Wait();
    });
  });
  IterationResult result = RunThreads(program, 0);
  EXPECT_TRUE(result.violations.empty());
  EXPECT_EQ(result.trace.tasks.size(), 2u);
}

// Four threads increment one atomic and take one lock: every increment must
// appear once, by its thread, with after == before + 1, and the values seen
// must be exactly 1..N (atomic RMWs never see the same value twice); every
// lock event names its taker and every unlock its holder.
TEST(ThreadBackend, TraceRecordsEveryOperationWithItsValues) {
  constexpr int kTasks = 4;
  constexpr int kIncs = 300;
  const ScenarioInfo program = FromBuild([](World& world) {
    auto* lock = world.Make<SpinLock>("l");
    auto* x = world.Make<Atomic<int>>(0, "x");
    for (int t = 0; t < kTasks; ++t) {
      world.Spawn("inc" + std::to_string(t), [lock, x] {
        for (int i = 0; i < kIncs; ++i) {
          x->Inc();
          if (i % 100 == 0) SpinLockGuard guard(lock);
        }
      });
    }
  });
  IterationResult result = RunThreads(program, 0);
  ASSERT_TRUE(result.violations.empty());
  const Trace& trace = result.trace;
  std::set<int64_t> seen_after;
  std::map<uint32_t, int> incs_by_task;
  int locks = 0;
  int unlocks = 0;
  for (const TraceEvent& e : trace.events) {
    if (e.kind != TraceEventKind::kOp || e.object == 0) continue;
    const std::string& label = trace.objects[e.object - 1].label;
    if (label == "x") {
      ASSERT_EQ(e.op, internal::OpKind::kRmw);
      EXPECT_EQ(e.after, e.before + 1);
      EXPECT_TRUE(seen_after.insert(e.after).second) << e.after;
      ++incs_by_task[e.task];
    } else if (label == "l" && e.op == internal::OpKind::kLock) {
      EXPECT_EQ(e.after, static_cast<int64_t>(e.task));
      ++locks;
    } else if (label == "l" && e.op == internal::OpKind::kUnlock) {
      EXPECT_EQ(e.before, static_cast<int64_t>(e.task));
      ++unlocks;
    }
  }
  ASSERT_EQ(seen_after.size(), size_t{kTasks * kIncs});
  EXPECT_EQ(*seen_after.begin(), 1);
  EXPECT_EQ(*seen_after.rbegin(), kTasks * kIncs);
  EXPECT_EQ(incs_by_task.size(), size_t{kTasks});
  for (const auto& [task, count] : incs_by_task) EXPECT_EQ(count, kIncs);
  EXPECT_EQ(locks, kTasks * kIncs / 100);
  EXPECT_EQ(unlocks, locks);
}

TEST(ThreadBackend, NoEventsWhenNotRecording) {
  const ScenarioInfo program = FromBuild([](World& world) {
    auto* x = world.Make<Atomic<int>>(0, "x");
    world.Spawn("inc", [x] { x->Inc(); });
  });
  IterationConfig config;
  config.backend = IterationConfig::Backend::kThreads;
  config.scenario = &program;
  config.record_events = false;
  IterationResult result = RunIteration(config);
  ASSERT_TRUE(result.violations.empty());
  EXPECT_TRUE(result.trace.events.empty());
  EXPECT_GE(result.steps, 1u);
}

}  // namespace
}  // namespace faultline
