// Goal: partial order sampling (pos.cc) is deterministic per (seed,
// iteration seed), finds each classic bug of programs.h, finds nothing in
// the fixed refcount code, replays its failures from a token, and on a small
// program samples more distinct schedules than PCT.
// Method: run the tiny programs under NewPosStrategy; compare trace hashes
// across strategy objects and seeds; count distinct trace hashes over the
// same iteration budget for POS, random walk and PCT (depth 2 and 3) on
// three tasks with two stores each to one shared object, which has
// 6! / (2! 2! 2!) = 90 schedules, all distinct partial orders.
#include <cstdio>
#include <memory>
#include <set>
#include <string>

#include "framework/runtime/atomic.h"
#include "framework/runtime/strategies/strategy.h"
#include "gtest/gtest.h"
#include "tests/runtime/programs.h"
#include "tests/runtime/replay_check.h"

namespace faultline {
namespace {

using testing_programs::ClassicBug;
using testing_programs::ClassicBugs;
using testing_programs::ExpectFailureReplaysFromItsToken;
using testing_programs::FromBuild;
using testing_programs::IterationsToFind;
using testing_programs::RunFibers;

// Three tasks, two stores each, all to one object.
ScenarioInfo ThreeWriters() {
  return FromBuild([](World& world) {
    auto* shared = world.Make<Atomic<int>>(0, "shared");
    for (const char* name : {"a", "b", "c"}) {
      world.Spawn(name, [shared] {
        shared->store(1);
        shared->store(2);
      });
    }
  });
}

size_t DistinctSchedules(const ScenarioInfo& program, Strategy& strategy,
                         int iterations) {
  std::set<uint64_t> hashes;
  for (int i = 0; i < iterations; ++i) {
    hashes.insert(RunFibers(program, &strategy, i).trace.hash);
  }
  return hashes.size();
}

TEST(Pos, FindsEachBug) {
  for (const ClassicBug& bug : ClassicBugs()) {
    auto strategy = NewPosStrategy(/*seed=*/1);
    EXPECT_GT(IterationsToFind(bug.program, *strategy, bug.check, 200), 0)
        << bug.name;
  }
}

TEST(Pos, FindsNothingInFixedRefcount) {
  auto strategy = NewPosStrategy(/*seed=*/1);
  EXPECT_EQ(IterationsToFind(testing_programs::RefcountDrop(/*fixed=*/true),
                             *strategy, "refcount.use_after_free", 500),
            -1);
}

TEST(Pos, IsDeterministicPerSeedAndIterationSeed) {
  const ScenarioInfo program = ThreeWriters();
  auto a = NewPosStrategy(9);
  auto b = NewPosStrategy(9);
  std::set<uint64_t> hashes;
  for (uint64_t seed = 0; seed < 30; ++seed) {
    const uint64_t hash = RunFibers(program, a.get(), seed).trace.hash;
    EXPECT_EQ(hash, RunFibers(program, b.get(), seed).trace.hash) << seed;
    hashes.insert(hash);
  }
  // Iteration i's schedule does not depend on the iterations run before it
  // (shards run different subsets): iteration 17 alone, on a fresh object.
  auto alone = NewPosStrategy(9);
  EXPECT_EQ(RunFibers(program, alone.get(), 17).trace.hash,
            RunFibers(program, a.get(), 17).trace.hash);
  EXPECT_GT(hashes.size(), 10u);  // and the seeds do vary the schedule
}

TEST(Pos, FailureReplaysFromItsToken) {
  auto strategy = NewPosStrategy(4);
  ExpectFailureReplaysFromItsToken(testing_programs::RefcountDrop(), *strategy,
                                   "refcount.use_after_free");
}

TEST(Pos, SamplesMoreDistinctSchedulesThanPct) {
  const ScenarioInfo program = ThreeWriters();
  constexpr int kIterations = 300;
  auto pos = NewPosStrategy(1);
  auto random = NewRandomWalkStrategy(1);
  // k = 6: the program's six stores (the explorer would measure the same).
  auto pct2 = NewPctStrategy(1, 2, 6);
  auto pct3 = NewPctStrategy(1, 3, 6);
  const size_t n_pos = DistinctSchedules(program, *pos, kIterations);
  const size_t n_random = DistinctSchedules(program, *random, kIterations);
  const size_t n_pct2 = DistinctSchedules(program, *pct2, kIterations);
  const size_t n_pct3 = DistinctSchedules(program, *pct3, kIterations);
  std::printf(
      "distinct of 90 in %d runs: pos %zu, random %zu, pct(d=2) %zu, "
      "pct(d=3) %zu\n",
      kIterations, n_pos, n_random, n_pct2, n_pct3);
  EXPECT_LE(n_pos, 90u);
  EXPECT_GT(n_pos, n_pct2);
  EXPECT_GT(n_pos, n_pct3);
}

}  // namespace
}  // namespace faultline
