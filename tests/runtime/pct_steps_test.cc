// Goal: PCT that counts only the steps where a change point can act
// (PctSteps::kChoice: two or more runnable tasks; pct.cc) still finds the
// classic bugs, is deterministic per (seed, iteration seed), never places a
// change point where it cannot act, reports the steps it counted (how the
// explorer learns k), and runs at least as many distinct schedules as the
// paper's PCT, which counts every step. Method: the tiny programs of programs.h
// and a program whose two tasks each run private stores around two stores to a
// shared object (the shape of most code: little shared, much local). Distinct
// schedules = distinct trace hashes over the same iteration budget; k for the
// counting mode is learned the way the explorer does it (16 calibration
// iterations).
#include <algorithm>
#include <cstdio>
#include <memory>
#include <set>
#include <string>

#include "framework/runtime/atomic.h"
#include "framework/runtime/strategies/strategy.h"
#include "gtest/gtest.h"
#include "tests/runtime/programs.h"

namespace faultline {
namespace {

using testing_programs::FromBuild;
using testing_programs::IterationsToFind;
using testing_programs::RunFibers;

constexpr int kPrivate = 3;

// Two tasks: kPrivate private stores, two shared stores, kPrivate private.
ScenarioInfo MostlyLocal() {
  return FromBuild([](World& world) {
    auto* shared = world.Make<Atomic<int>>(0, "shared");
    for (const char* name : {"a", "b"}) {
      auto* mine = world.Make<Atomic<int>>(0, name);
      world.Spawn(name, [shared, mine] {
        for (int i = 0; i < kPrivate; ++i) mine->store(i);
        shared->store(1);
        shared->store(2);
        for (int i = 0; i < kPrivate; ++i) mine->store(i);
      });
    }
  });
}

// k the way the explorer learns it: the most counted steps in 16 runs of a
// strategy with k = `first_k`.
uint64_t LearnK(const ScenarioInfo& program, PctSteps steps, uint64_t first_k) {
  PctOptions options;
  options.steps = steps;
  options.estimated_steps = first_k;
  auto calibration = NewPctStrategy(1, options);
  for (uint64_t i = 0; i < 16; ++i) RunFibers(program, calibration.get(), i);
  return calibration->MaxCountedSteps();
}

std::unique_ptr<Strategy> Pct(PctSteps steps, uint64_t k, int depth = 3,
                              uint64_t seed = 1) {
  PctOptions options;
  options.depth = depth;
  options.estimated_steps = k;
  options.steps = steps;
  return NewPctStrategy(seed, options);
}

size_t DistinctSchedules(const ScenarioInfo& program, Strategy& strategy,
                         int iterations) {
  std::set<uint64_t> hashes;
  for (int i = 0; i < iterations; ++i) {
    hashes.insert(RunFibers(program, &strategy, i).trace.hash);
  }
  return hashes.size();
}

TEST(PctSteps, FindsEachBug) {
  for (const testing_programs::ClassicBug& bug :
       testing_programs::ClassicBugs()) {
    const uint64_t k = LearnK(bug.program, PctSteps::kChoice, 64);
    auto strategy = Pct(PctSteps::kChoice, k);
    EXPECT_GT(IterationsToFind(bug.program, *strategy, bug.check, 300), 0)
        << bug.name;
  }
}

TEST(PctSteps, FindsNothingInFixedRefcount) {
  const ScenarioInfo fixed = testing_programs::RefcountDrop(/*fixed=*/true);
  auto strategy = Pct(PctSteps::kChoice, LearnK(fixed, PctSteps::kChoice, 64));
  EXPECT_EQ(IterationsToFind(fixed, *strategy, "refcount.use_after_free", 300),
            -1);
}

TEST(PctSteps, IsDeterministicAndIndependentOfEarlierIterations) {
  const ScenarioInfo program = MostlyLocal();
  auto a = Pct(PctSteps::kChoice, 6, 3, 9);
  auto b = Pct(PctSteps::kChoice, 6, 3, 9);
  std::set<uint64_t> hashes;
  for (uint64_t seed = 0; seed < 30; ++seed) {
    const uint64_t hash = RunFibers(program, a.get(), seed).trace.hash;
    EXPECT_EQ(hash, RunFibers(program, b.get(), seed).trace.hash) << seed;
    hashes.insert(hash);
  }
  auto alone = Pct(PctSteps::kChoice, 6, 3, 9);
  EXPECT_EQ(RunFibers(program, alone.get(), 17).trace.hash,
            RunFibers(program, a.get(), 17).trace.hash);
  EXPECT_GT(hashes.size(), 1u);
}

TEST(PctSteps, CountsOnlyStepsThatCanMatter) {
  const ScenarioInfo program = MostlyLocal();
  // Every step: the most steps of any run (the spawns, 2 x 8 stores, ...).
  auto all = Pct(PctSteps::kAll, 100);
  auto choice = Pct(PctSteps::kChoice, 100);
  uint64_t most_steps = 0;
  for (uint64_t i = 0; i < 16; ++i) {
    most_steps =
        std::max(most_steps, RunFibers(program, all.get(), i).trace.steps());
    RunFibers(program, choice.get(), i);
  }
  EXPECT_EQ(all->MaxCountedSteps(), most_steps);
  // The last task alone after the other finished: its steps are no choice.
  EXPECT_LT(choice->MaxCountedSteps(), most_steps);
  EXPECT_GE(choice->MaxCountedSteps(), 2u * kPrivate);
}

TEST(PctSteps, NoFewerDistinctSchedulesThanEveryStepPct) {
  const ScenarioInfo program = MostlyLocal();
  constexpr int kIterations = 400;
  // The paper's k: the steps of the default schedule.
  const uint64_t k_all = RunFibers(program, nullptr, 0).trace.steps();
  const uint64_t k_choice = LearnK(program, PctSteps::kChoice, k_all);
  for (int depth : {2, 3}) {
    auto all = Pct(PctSteps::kAll, k_all, depth);
    auto choice = Pct(PctSteps::kChoice, k_choice, depth);
    const size_t n_all = DistinctSchedules(program, *all, kIterations);
    const size_t n_choice = DistinctSchedules(program, *choice, kIterations);
    std::printf(
        "d=%d distinct in %d runs: every step (k=%llu) %zu, choice steps "
        "(k=%llu) %zu\n",
        depth, kIterations, static_cast<unsigned long long>(k_all), n_all,
        static_cast<unsigned long long>(k_choice), n_choice);
    EXPECT_GE(n_choice, n_all) << "d=" << depth;
  }
}

}  // namespace
}  // namespace faultline
