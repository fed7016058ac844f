// Goal: IterationResult::outcome (IterationConfig::outcomes) is a hash of
// what every task saw: equal for two runs exactly when each task read the
// same values, whatever the order of the steps, and the same object under
// the same name in every schedule; 0 for a run that did not finish.
// Method: small programs whose distinct outcomes are counted by hand and
// found by running every interleaving (the exhaustive strategy with no
// reduction); DPOR and state caching must reach exactly the brute force's
// outcome set; a random walk over tasks that touch different objects in
// either order must see one outcome; a deadlocked run has none.
#include <cstdint>
#include <memory>
#include <set>

#include "framework/check.h"
#include "framework/runtime/atomic.h"
#include "framework/runtime/iteration.h"
#include "framework/runtime/spin_lock.h"
#include "framework/runtime/strategies/strategy.h"
#include "gtest/gtest.h"
#include "tests/runtime/programs.h"

namespace faultline {
namespace {

using testing_programs::FromBuild;
using testing_programs::LockOrderDeadlock;

struct Census {
  std::set<uint64_t> outcomes;  // without 0
  std::set<uint64_t> schedules;
  uint64_t runs = 0;
  uint64_t without_outcome = 0;
};

// Runs `strategy` until it has no more schedules (or `max_runs`), with
// outcomes on; `dpor` as the strategy needs.
Census Search(const ScenarioInfo& program, std::unique_ptr<Strategy> strategy,
              bool dpor, bool state_keys = false, uint64_t max_runs = 100000) {
  Census census;
  IterationConfig config;
  config.scenario = &program;
  config.strategy = strategy.get();
  config.dpor = dpor;
  config.state_keys = state_keys;
  config.outcomes = true;
  for (uint64_t i = 0; i < max_runs; ++i) {
    config.seed = i;
    const IterationResult result = RunIteration(config);
    if (!result.ran) break;
    ++census.runs;
    if (result.cut_short) continue;
    census.schedules.insert(result.trace.hash);
    if (result.outcome == 0) {
      ++census.without_outcome;
    } else {
      census.outcomes.insert(result.outcome);
    }
  }
  return census;
}

Census BruteForce(const ScenarioInfo& program) {
  ExhaustiveOptions options;
  options.reduction = false;
  return Search(program, NewExhaustiveStrategy(options), /*dpor=*/true);
}

// Each task loads x and stores what it read plus one: each sees 0 or 1,
// and not both 1 (the second load follows the first store or not): 3.
ScenarioInfo ReadThenWrite() {
  return FromBuild([](World& world) {
    auto* x = world.Make<Atomic<int>>(0, "x");
    for (const char* name : {"a", "b"}) {
      world.Spawn(name, [x] { x->store(x->load() + 1); });
    }
  });
}

// Lastzero(2) (Abdulla et al.): a[0..2]; task 0 scans for the last zero,
// tasks 1 and 2 set a[i] = a[i-1] + 1. Reads decide control flow.
ScenarioInfo LastZero() {
  return FromBuild([](World& world) {
    auto* a0 = world.Make<Atomic<int>>(0, "a0");
    auto* a1 = world.Make<Atomic<int>>(0, "a1");
    auto* a2 = world.Make<Atomic<int>>(0, "a2");
    Atomic<int>* a[] = {a0, a1, a2};
    world.Spawn("scan", [a0, a1, a2] {
      Atomic<int>* cells[] = {a0, a1, a2};
      for (int i = 2; i >= 0 && cells[i]->load() != 0; --i) {
      }
    });
    for (int i = 1; i <= 2; ++i) {
      world.Spawn(i == 1 ? "set1" : "set2", [prev = a[i - 1], cur = a[i]] {
        cur->store(prev->load() + 1);
      });
    }
  });
}

// Two tasks under one lock each add to a counter they read: the lock order
// decides what each sees.
ScenarioInfo LockedReads() {
  return FromBuild([](World& world) {
    auto* lock = world.Make<SpinLock>("lock");
    auto* n = world.Make<Atomic<int>>(0, "n");
    for (const char* name : {"a", "b", "c"}) {
      world.Spawn(name, [lock, n] {
        SpinLockGuard guard(lock);
        n->store(n->load() + 1);
      });
    }
  });
}

TEST(Outcome, CountsWhatTheTasksSaw) {
  const Census census = BruteForce(ReadThenWrite());
  EXPECT_EQ(census.runs, census.schedules.size());
  EXPECT_GT(census.schedules.size(), 3u);
  EXPECT_EQ(census.outcomes.size(), 3u);
  EXPECT_EQ(census.without_outcome, 0u);
  // Under a lock, each of 3 tasks sees its rank: 3! outcomes.
  EXPECT_EQ(BruteForce(LockedReads()).outcomes.size(), 6u);
}

TEST(Outcome, DporAndStateCachingReachEveryOutcome) {
  for (const ScenarioInfo& program :
       {ReadThenWrite(), LastZero(), LockedReads()}) {
    const Census brute = BruteForce(program);
    ASSERT_FALSE(brute.outcomes.empty());
    const Census dpor = Search(program, NewDporStrategy(DporOptions{}), true);
    EXPECT_EQ(dpor.outcomes, brute.outcomes);
    EXPECT_LE(dpor.runs, brute.runs);
    ExhaustiveOptions caching;
    caching.state_caching = true;
    const Census cached = Search(program, NewExhaustiveStrategy(caching),
                                 /*dpor=*/true, /*state_keys=*/true);
    EXPECT_EQ(cached.outcomes, brute.outcomes);
  }
}

// Each task makes an object and reads it; which is made and touched first
// (and so its trace id) changes with the schedule, what each task saw
// does not.
TEST(Outcome, ObjectsAreNamedByCreatorInEverySchedule) {
  const ScenarioInfo program = FromBuild([](World& world) {
    auto* start = world.Make<Atomic<int>>(0, "start");
    for (const char* name : {"a", "b"}) {
      world.Spawn(name, [start] {
        start->load();  // tasks start in order; from here either goes first
        auto own = std::make_unique<Atomic<int>>(7, "own");
        own->load();
        own->fetch_add(1);
      });
    }
  });
  const Census random =
      Search(program, NewRandomWalkStrategy(1), /*dpor=*/false, false, 64);
  EXPECT_GT(random.schedules.size(), 1u);
  EXPECT_EQ(random.outcomes.size(), 1u);
  EXPECT_EQ(random.without_outcome, 0u);
}

// What a task sees does not depend on the strategy's step model: a bit
// operation sees its bit and an add whose result is dropped sees nothing,
// under a random walk as under DPOR's model. Here only y's value differs:
// two outcomes, and a random walk finds no other.
TEST(Outcome, TheSameUnderEveryStrategy) {
  const ScenarioInfo program = FromBuild([](World& world) {
    auto* flags = world.Make<AtomicFlags>(0, "flags");
    auto* x = world.Make<Atomic<int>>(0, "x");
    auto* y = world.Make<Atomic<int>>(0, "y");
    world.Spawn("a", [flags, x, y] {
      flags->test_and_set_bit(0);
      x->Inc();
      y->load();
    });
    world.Spawn("b", [flags, x, y] {
      flags->test_and_set_bit(1);
      x->Inc();
      y->store(1);
    });
  });
  const Census brute = BruteForce(program);
  EXPECT_EQ(brute.outcomes.size(), 2u);
  const Census random =
      Search(program, NewRandomWalkStrategy(3), /*dpor=*/false, false, 200);
  EXPECT_GT(random.schedules.size(), 2u);
  EXPECT_EQ(random.outcomes, brute.outcomes);
}

TEST(Outcome, AnUnfinishedRunHasNone) {
  const Census census = BruteForce(LockOrderDeadlock());
  EXPECT_GT(census.without_outcome, 0u);  // the deadlocked runs
  EXPECT_FALSE(census.outcomes.empty());  // the others
}

TEST(Outcome, OffByDefault) {
  const ScenarioInfo program = ReadThenWrite();
  IterationConfig config;
  config.scenario = &program;
  EXPECT_EQ(RunIteration(config).outcome, 0u);
}

}  // namespace
}  // namespace faultline
