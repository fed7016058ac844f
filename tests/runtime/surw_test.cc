// Goal: SURW (surw.cc) samples the interleavings of shared steps close to
// uniformly where a random walk is skewed, learns its weights from a
// profile, is deterministic per (seed, iteration seed), finds each classic
// bug of programs.h, finds nothing in the fixed refcount code and replays
// its failures from a token.
// Method: two tasks storing 2 and 5 times to one object have C(7, 2) = 21
// interleavings; count how often each trace hash comes up in 4,200 runs
// and compare the total variation distance from uniform for SURW and the
// random walk (which puts the short task's two stores first a quarter of
// the time, against 1/21 for uniform).
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <vector>

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

// Task "short" stores twice, task "long" five times, to one object.
ScenarioInfo ShortAndLong() {
  return FromBuild([](World& world) {
    auto* shared = world.Make<Atomic<int>>(0, "shared");
    world.Spawn("short", [shared] {
      for (int i = 0; i < 2; ++i) shared->store(1);
    });
    world.Spawn("long", [shared] {
      for (int i = 0; i < 5; ++i) shared->store(2);
    });
  });
}

std::vector<uint64_t> Profile(const ScenarioInfo& program, uint64_t seed) {
  std::unique_ptr<SurwProfile> profile = NewSurwProfiler(seed);
  for (uint64_t i = 0; i < 16; ++i) RunFibers(program, profile.get(), i);
  return profile->Weights();
}

// Total variation distance between the observed schedule frequencies and
// the uniform distribution over `classes` schedules.
double DistanceFromUniform(const ScenarioInfo& program, Strategy& strategy,
                           int runs, size_t classes, size_t* distinct) {
  std::map<uint64_t, int> counts;
  for (int i = 0; i < runs; ++i) {
    counts[RunFibers(program, &strategy, i).trace.hash]++;
  }
  *distinct = counts.size();
  double distance = 0;
  for (const auto& [hash, n] : counts) {
    distance += std::fabs(static_cast<double>(n) / runs - 1.0 / classes);
  }
  distance +=
      static_cast<double>(classes - std::min(classes, counts.size())) / classes;
  return distance / 2;
}

TEST(Surw, ProfileCountsSharedStepsPerTask) {
  const std::vector<uint64_t> weights = Profile(ShortAndLong(), 3);
  ASSERT_GE(weights.size(), 3u);
  // Every store is an operation on an object; the mean of 16 runs is exact.
  EXPECT_EQ(weights[1], 2u);
  EXPECT_EQ(weights[2], 5u);
}

TEST(Surw, SamplesInterleavingsCloserToUniformThanRandomWalk) {
  const ScenarioInfo program = ShortAndLong();
  constexpr int kRuns = 4200;
  constexpr size_t kClasses = 21;
  auto surw = NewSurwStrategy(5, Profile(program, 5));
  auto random = NewRandomWalkStrategy(5);
  size_t surw_distinct = 0, random_distinct = 0;
  const double surw_distance =
      DistanceFromUniform(program, *surw, kRuns, kClasses, &surw_distinct);
  const double random_distance =
      DistanceFromUniform(program, *random, kRuns, kClasses, &random_distinct);
  std::printf(
      "distance from uniform over %zu schedules: surw %.3f (%zu "
      "seen), random walk %.3f (%zu seen)\n",
      kClasses, surw_distance, surw_distinct, random_distance, random_distinct);
  EXPECT_EQ(surw_distinct, kClasses);
  EXPECT_EQ(random_distinct, kClasses);
  EXPECT_LT(surw_distance, 0.5 * random_distance);
}

TEST(Surw, IsDeterministicPerSeedAndIterationSeed) {
  const ScenarioInfo program = ShortAndLong();
  const std::vector<uint64_t> weights = Profile(program, 9);
  EXPECT_EQ(weights, Profile(program, 9));
  auto a = NewSurwStrategy(9, weights);
  auto b = NewSurwStrategy(9, weights);
  for (uint64_t seed = 0; seed < 30; ++seed) {
    EXPECT_EQ(RunFibers(program, a.get(), seed).trace.hash,
              RunFibers(program, b.get(), seed).trace.hash)
        << seed;
  }
  // Iteration 17 alone, on a fresh object, as a shard would run it.
  auto alone = NewSurwStrategy(9, weights);
  EXPECT_EQ(RunFibers(program, alone.get(), 17).trace.hash,
            RunFibers(program, a.get(), 17).trace.hash);
}

TEST(Surw, FindsEachBug) {
  for (const ClassicBug& bug : ClassicBugs()) {
    auto strategy = NewSurwStrategy(1, Profile(bug.program, 1));
    EXPECT_GT(IterationsToFind(bug.program, *strategy, bug.check, 200), 0)
        << bug.name;
  }
}

TEST(Surw, FindsNothingInFixedRefcount) {
  const ScenarioInfo fixed = testing_programs::RefcountDrop(/*fixed=*/true);
  auto strategy = NewSurwStrategy(1, Profile(fixed, 1));
  EXPECT_EQ(IterationsToFind(fixed, *strategy, "refcount.use_after_free", 500),
            -1);
}

TEST(Surw, FailureReplaysFromItsToken) {
  const ScenarioInfo program = testing_programs::RefcountDrop();
  auto strategy = NewSurwStrategy(4, Profile(program, 4));
  ExpectFailureReplaysFromItsToken(program, *strategy,
                                   "refcount.use_after_free");
}

}  // namespace
}  // namespace faultline
