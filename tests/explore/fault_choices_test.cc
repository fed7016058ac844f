// Goal: the fire sets of a fault-choice search (fault_choices.h): each set a
// run reaches is searched once, within every rule's max_fires, and sets
// preloaded by a split (the ones the shards agreed on) are searched whether
// or not this shard's runs reach them, never twice.
// Method: two test-only branching sites, rules compiled from textproto, and
// a stand-in strategy that runs a fixed number of iterations; the test
// plays the explorer, feeding After() the branch hits each run "reached".
#include "framework/explore/fault_choices.h"

#include <google/protobuf/text_format.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "framework/fault_point.h"
#include "framework/rule_set.h"
#include "framework/run_context.h"
#include "framework/runtime/iteration_config.h"
#include "gtest/gtest.h"

namespace faultline {
namespace explore_internal {
namespace {

// Referenced so the sites register; never called.
[[maybe_unused]] bool FailA() { return FL_FAULT_FAIL("fctest.a"); }
[[maybe_unused]] bool FailB() { return FL_FAULT_FAIL("fctest.b"); }

std::shared_ptr<const RuleSet> TwoBranchingRules() {
  Plan plan;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"pb(
        rules {
          point: "fctest.a"
          branch: true
          max_fires: 1
          fail {}
        }
        rules {
          point: "fctest.b"
          branch: true
          max_fires: 2
          fail {}
        }
      )pb",
      &plan));
  absl::StatusOr<std::shared_ptr<const RuleSet>> rules = RuleSet::Compile(plan);
  EXPECT_TRUE(rules.ok()) << rules.status();
  return *rules;
}

// Runs `runs` iterations, then is complete.
class CountingStrategy final : public Strategy {
 public:
  explicit CountingStrategy(int runs) : left_(runs) {}
  bool BeginIteration(uint64_t) override { return left_-- > 0; }
  uint32_t Choose(const SchedulingPoint& point) override {
    return DefaultChoice(point);
  }
  bool Complete() const override { return left_ < 0; }
  std::string Name() const override { return "counting"; }
  StrategyKind kind() const override { return StrategyKind::kExhaustive; }

 private:
  int left_;
};

const uint64_t kA0 = BranchKey(0, 1, 0);  // rule a, task 1, first hit
const uint64_t kA1 = BranchKey(0, 1, 1);
const uint64_t kB0 = BranchKey(1, 2, 0);
const uint64_t kB1 = BranchKey(1, 2, 1);

TEST(FireSetLimits, ExtendsByEachHitWithinMaxFires) {
  const FireSetLimits limits(*TwoBranchingRules());
  EXPECT_TRUE(limits.branching());
  using Sets = std::vector<std::vector<uint64_t>>;
  // Repeated hits give one set each.
  EXPECT_EQ(limits.Extensions({}, {kA0, kB0, kA0}), (Sets{{kA0}, {kB0}}));
  // Rule a fires at most once; rule b twice.
  EXPECT_EQ(limits.Extensions({kA0}, {kA0, kA1, kB0}), (Sets{{kA0, kB0}}));
  EXPECT_EQ(limits.Extensions({kB0}, {kB1}), (Sets{{kB0, kB1}}));
  EXPECT_EQ(limits.Extensions({kB0, kB1}, {BranchKey(1, 2, 2)}), Sets{});
  const FireSetLimits none(*RuleSet::Empty());
  EXPECT_FALSE(none.branching());
  EXPECT_EQ(none.Extensions({}, {kA0}), Sets{});
}

// Plays the explorer's loop: each run of fire set F reports `hits(F)`.
std::vector<std::vector<uint64_t>> SearchAll(
    FaultChoiceSearch& search,
    const std::function<std::vector<uint64_t>(const std::vector<uint64_t>&)>&
        hits) {
  std::vector<std::vector<uint64_t>> runs;
  while (search.strategy() != nullptr) {
    IterationResult result;
    result.ran = search.strategy()->BeginIteration(0);
    if (result.ran) {
      runs.push_back(search.fires());
      result.branch_hits = hits(search.fires());
    }
    search.After(result);
  }
  return runs;
}

TEST(FaultChoiceSearch, SearchesEverySetItsRunsReachOnce) {
  FaultChoiceSearch search(*TwoBranchingRules(), [](const auto&) {
    return std::make_unique<CountingStrategy>(2);
  });
  // Every run reaches a's first hit and b's first; under {b0} also b1.
  const auto runs = SearchAll(search, [](const std::vector<uint64_t>& fires) {
    if (fires == std::vector<uint64_t>{kB0}) {
      return std::vector<uint64_t>{kA0, kB0, kB1};
    }
    return std::vector<uint64_t>{kA0, kB0};
  });
  EXPECT_TRUE(search.Complete());
  // {}, {a0}, {b0}, {a0,b0}, {b0,b1} and, from {b0,b1}'s runs, {a0,b0,b1}:
  // each searched by its 2 runs.
  EXPECT_EQ(search.fire_sets(), 6u);
  std::vector<std::vector<uint64_t>> sorted = runs;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, (std::vector<std::vector<uint64_t>>{{},
                                                        {},
                                                        {kA0},
                                                        {kA0},
                                                        {kA0, kB0},
                                                        {kA0, kB0},
                                                        {kA0, kB0, kB1},
                                                        {kA0, kB0, kB1},
                                                        {kB0},
                                                        {kB0},
                                                        {kB0, kB1},
                                                        {kB0, kB1}}));
}

TEST(FaultChoiceSearch, PreloadedSetsAreSearchedOnceWhetherReachedOrNot) {
  FaultChoiceSearch search(*TwoBranchingRules(), [](const auto&) {
    return std::make_unique<CountingStrategy>(1);
  });
  // Agreed by the shards: {a0} (this shard's runs reach it too) and
  // {b0, b1} (they never do). {} is always there. {b0, b1}'s runs reach a0,
  // so {a0, b0, b1} comes from this shard's own runs.
  search.Preload({{}, {kA0}, {kB0, kB1}});
  const auto runs = SearchAll(search, [](const std::vector<uint64_t>&) {
    return std::vector<uint64_t>{kA0};
  });
  EXPECT_TRUE(search.Complete());
  std::vector<std::vector<uint64_t>> sorted = runs;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, (std::vector<std::vector<uint64_t>>{
                        {}, {kA0}, {kA0, kB0, kB1}, {kB0, kB1}}));
}

}  // namespace
}  // namespace explore_internal
}  // namespace faultline
