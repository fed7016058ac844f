// Goal: a bounded exhaustive search split across N shards (shard_split.h)
// explores exactly the schedules of the unsplit search, each on one shard.
// Method: for small programs (two tasks of stores, conflicting or not, a
// lost update, a refcount race, a lock-order deadlock), with and without
// sleep sets and under preemption bounds, walk the whole tree once and
// record every run's trace hash; then for N = 1, 2, 3, 5 split the tree,
// walk each shard's subtrees and check: the shards' hash sets are pairwise
// disjoint, their schedule counts add up to the whole walk's, and their
// union is the whole walk's set (without sleep sets, where no run is cut
// short) or inside it (with them: runs cut by sleep sets above the split
// depth are not in any subtree). Violations found are the same.
#include "framework/explore/shard_split.h"

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "framework/runtime/strategies/strategy.h"
#include "gtest/gtest.h"
#include "tests/runtime/programs.h"

namespace faultline {
namespace {

using testing_programs::RunFibers;

struct Walk {
  std::set<uint64_t> hashes;
  std::set<std::string> violations;
  uint64_t schedules = 0;  // from Summary()
  bool complete = false;
  int runs = 0;
};

uint64_t SchedulesOf(const std::string& summary) {
  const std::string key = "complete: ";
  const size_t at = summary.find(key);
  EXPECT_NE(at, std::string::npos) << summary;
  if (at == std::string::npos) return 0;
  const size_t from = at + key.size();
  uint64_t n = 0;
  EXPECT_TRUE(absl::SimpleAtoi(
      summary.substr(from, summary.find(' ', from) - from), &n))
      << summary;
  return n;
}

Walk RunAll(const ScenarioInfo& scenario, Strategy& strategy) {
  Walk walk;
  for (int i = 0; i < 100000; ++i) {
    IterationResult result = RunFibers(scenario, &strategy, 0);
    if (!result.ran) break;
    EXPECT_TRUE(result.strategy_status.ok()) << result.strategy_status;
    ++walk.runs;
    // A run that repeats an explored path would repeat its hash.
    EXPECT_TRUE(walk.hashes.insert(result.trace.hash).second);
    for (const Violation& v : result.violations)
      walk.violations.insert(v.check);
  }
  walk.complete = strategy.Complete();
  if (walk.complete) walk.schedules = SchedulesOf(strategy.Summary());
  return walk;
}

struct Case {
  std::string name;
  ScenarioInfo scenario;
  ExhaustiveOptions options;
};

std::vector<Case> Cases() {
  std::vector<Case> cases;
  for (bool reduction : {false, true}) {
    for (int bound : {-1, 1}) {
      ExhaustiveOptions options;
      options.reduction = reduction;
      options.preemption_bound = bound;
      const std::string suffix = std::string(reduction ? " sleep" : " plain") +
                                 " bound " + std::to_string(bound);
      cases.push_back({"stores3 conflicting" + suffix,
                       testing_programs::Stores(3, true), options});
      cases.push_back({"stores3 independent" + suffix,
                       testing_programs::Stores(3, false), options});
      cases.push_back(
          {"lost update" + suffix, testing_programs::LostUpdate(), options});
      cases.push_back({"refcount drop" + suffix,
                       testing_programs::RefcountDrop(), options});
      cases.push_back({"lock order" + suffix,
                       testing_programs::LockOrderDeadlock(), options});
    }
  }
  return cases;
}

TEST(ShardSplit, ShardsCoverTheWholeSearchOnceEach) {
  for (const Case& c : Cases()) {
    auto whole_strategy = NewExhaustiveStrategy(c.options);
    const Walk whole = RunAll(c.scenario, *whole_strategy);
    ASSERT_TRUE(whole.complete) << c.name;
    ASSERT_GT(whole.schedules, 0u) << c.name;
    for (uint32_t shards : {1u, 2u, 3u, 5u}) {
      std::set<uint64_t> union_hashes;
      std::set<std::string> union_violations;
      uint64_t schedules = 0;
      uint64_t subtrees = 0;
      for (uint32_t k = 0; k < shards; ++k) {
        absl::StatusOr<ShardSplit> split =
            SplitSchedules([&] { return NewExhaustiveStrategy(c.options); },
                           [&](Strategy* s) -> absl::StatusOr<bool> {
                             return RunFibers(c.scenario, s, 0).ran;
                           },
                           k, shards);
        ASSERT_TRUE(split.ok()) << split.status();
        subtrees += split->mine.size();
        auto strategy = NewExhaustiveStrategy(c.options);
        ASSERT_TRUE(strategy->StartFromPrefixes(split->mine));
        const Walk part = RunAll(c.scenario, *strategy);
        const std::string where = c.name + ", shard " + std::to_string(k) +
                                  "/" + std::to_string(shards);
        ASSERT_TRUE(part.complete) << where;
        schedules += part.schedules;
        for (uint64_t hash : part.hashes) {
          EXPECT_TRUE(union_hashes.insert(hash).second)
              << where << ": a schedule explored by two shards";
          EXPECT_EQ(whole.hashes.count(hash), 1u)
              << where << ": a schedule the whole search did not run";
        }
        union_violations.insert(part.violations.begin(), part.violations.end());
      }
      const std::string where =
          c.name + ", " + std::to_string(shards) + " shards";
      EXPECT_EQ(schedules, whole.schedules) << where;
      if (!c.options.reduction) {
        EXPECT_EQ(union_hashes, whole.hashes) << where;
      }
      EXPECT_EQ(union_violations, whole.violations) << where;
      EXPECT_GT(subtrees, 0u) << where;
    }
  }
}

// The split is a function of the program: every shard computes the same
// one, deep enough for several subtrees per shard where the tree has them.
TEST(ShardSplit, SplitIsTheSameOnEveryShardAndDeepEnough) {
  ExhaustiveOptions options;
  options.reduction = false;
  const ScenarioInfo scenario = testing_programs::Stores(3, true);
  auto run = [&](Strategy* s) -> absl::StatusOr<bool> {
    return RunFibers(scenario, s, 0).ran;
  };
  auto make = [&] { return NewExhaustiveStrategy(options); };
  absl::StatusOr<ShardSplit> a = SplitSchedules(make, run, 0, 2);
  absl::StatusOr<ShardSplit> b = SplitSchedules(make, run, 1, 2);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->depth, b->depth);
  EXPECT_EQ(a->subtrees_total, b->subtrees_total);
  EXPECT_EQ(a->mine.size() + b->mine.size(), a->subtrees_total);
  // C(6, 3) = 20 interleavings: fewer than 16 x 2 subtrees exist, so the
  // split goes down to single schedules.
  EXPECT_EQ(a->subtrees_total, 20u);
  EXPECT_NE(a->mine, b->mine);
}

}  // namespace
}  // namespace faultline
