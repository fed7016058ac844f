// Goal: the Explorer keeps its promises (explorer.h): sharding partitions the
// iteration space exactly, a plan and seed always give the same report, a
// seed override changes the schedules, bounded exhaustive search finds the
// toy inode-cache race and proves the fixed variant clean, minimized tokens
// replay against the plan they came from, expectations decide when to stop,
// and the time budget stops a run. (The btrfs seed race: seed_race_test.cc.)
// Method: plans written inline over the toy inode cache
// (examples/inode_cache), run in process with Explorer::Run; assertions only
// on the Report (never on wall time).
#include "framework/explore/explorer.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "framework/explore/explorer_options.h"
#include "framework/plan.pb.h"
#include "framework/plan_loader.h"
#include "framework/runtime/strategies/strategy.h"
#include "framework/runtime/trace/replay_token.h"
#include "gtest/gtest.h"
#include "tests/explore/explorer_harness.h"

namespace faultline {
namespace {

using ::faultline::testing_explore::ExpectReplayReproduces;
using ::faultline::testing_explore::Explore;
using ::faultline::testing_explore::ExploreEveryShard;
using ::faultline::testing_explore::Fast;
using ::faultline::testing_explore::FindViolation;
using ::faultline::testing_explore::IcachePlan;
using ::faultline::testing_explore::kUseAfterFree;

constexpr char kRandomCollectAll[] =
    "exploration { strategy: RANDOM seed: 7 iterations: 61 collect_all: true "
    "}\n"
    "expect { violation: \"icache.use_after_free\" }\n";

constexpr char kPctCollectAll[] =
    "exploration { strategy: PCT seed: 7 iterations: 61 collect_all: true }\n"
    "expect { violation: \"icache.use_after_free\" }\n";

// PCT over choice steps learns k from calibration runs (explorer.cc): every
// shard runs the same calibration, so its iterations match too.
constexpr char kPctChoiceCollectAll[] =
    "exploration { strategy: PCT pct_steps: PCT_CHOICE_STEPS seed: 7 "
    "iterations: 61 collect_all: true }\n"
    "expect { violation: \"icache.use_after_free\" }\n";

// SURW learns its weights from profiling runs, which every shard runs too.
// It hits this bug rarely (uniform interleavings seldom keep the user's
// check and use apart long enough): more iterations.
constexpr char kSurwCollectAll[] =
    "exploration { strategy: SURW seed: 7 iterations: 1501 collect_all: true "
    "}\n"
    "expect { violation: \"icache.use_after_free\" }\n";

// Equal step totals mean every iteration ran the same schedule in both
// layouts: PCT's k and SURW's weights must not be learned from the
// iterations a shard ran.
class ExplorerSharding : public ::testing::TestWithParam<const char*> {};

INSTANTIATE_TEST_SUITE_P(RandomAndPct, ExplorerSharding,
                         ::testing::Values(kRandomCollectAll, kPctCollectAll,
                                           kPctChoiceCollectAll,
                                           kSurwCollectAll));

TEST_P(ExplorerSharding, ShardsPartitionTheUnshardedRun) {
  const Plan plan = IcachePlan("buggy", GetParam());
  const Report whole = Explore(plan, Fast());
  ASSERT_EQ(whole.iterations_run(), plan.exploration().iterations());
  ASSERT_GT(whole.violations_by_check().count(kUseAfterFree), 0u)
      << "the plan must violate something for the sum to mean anything";

  uint64_t planned = 0, run = 0, steps = 0;
  std::map<std::string, uint64_t> by_check;
  for (uint32_t shard = 0; shard < 3; ++shard) {
    ExplorerOptions options = Fast();
    options.shard_index = shard;
    options.total_shards = 3;
    const Report part = Explore(plan, options);
    EXPECT_EQ(part.shard_index(), shard);
    EXPECT_EQ(part.total_shards(), 3u);
    planned += part.iterations_planned();
    run += part.iterations_run();
    steps += part.total_steps();
    for (const auto& [check, n] : part.violations_by_check())
      by_check[check] += n;
  }
  EXPECT_EQ(planned, whole.iterations_planned());
  EXPECT_EQ(run, whole.iterations_run());
  EXPECT_EQ(steps, whole.total_steps());
  const std::map<std::string, uint64_t> expected(
      whole.violations_by_check().begin(), whole.violations_by_check().end());
  EXPECT_EQ(by_check, expected);
}

// A bounded exhaustive search is split into subtrees of its schedule tree
// (shard_split.h): every shard is complete over its own, the shards agree
// on the split, and together they run no more than the unsplit search.
TEST(ExplorerShardingExhaustive, ExhaustiveIsSplitAcrossShards) {
  const Plan plan =
      IcachePlan("fixed",
                 "exploration { strategy: EXHAUSTIVE preemption_bound: 2 "
                 "iterations: 10000 }\nexpect { search_complete: true }\n");
  const Report whole = Explore(plan, Fast());
  ASSERT_TRUE(whole.complete());
  EXPECT_EQ(whole.split_subtrees_total(), 0u);  // one shard: not split
  EXPECT_LE(ExploreEveryShard(plan, "exhaustive: complete:"),
            whole.iterations_run());
}

// Unbounded DPOR splits (dpor.cc, "Splitting across shards"): every shard
// runs a share of the subtrees and judges its share, and together they run
// at least the unsplit search's classes (the split tree's top is a
// sleep-set search, so it may add sleep-set-blocked runs, never lose a
// class).
TEST(ExplorerShardingExhaustive, UnboundedDporSplitsAcrossShards) {
  const Plan plan = IcachePlan(
      "fixed",
      "exploration { strategy: DPOR iterations: 10000 }\n"
      "expect { search_complete: true }\nexpect { no_violation: true }\n");
  const Report whole = Explore(plan, Fast());
  ASSERT_TRUE(whole.complete());
  EXPECT_GE(ExploreEveryShard(plan, "dpor: complete, unbounded"),
            whole.iterations_run());
}

// A preemption-bounded DPOR search splits by the unbounded split tree
// (dpor.cc): every shard runs its subtrees within the bound and judges
// them.
TEST(ExplorerShardingExhaustive, BoundedDporSplitsAcrossShards) {
  const Plan plan = IcachePlan(
      "fixed",
      "exploration { strategy: DPOR preemption_bound: 2 iterations: 10000 }\n"
      "expect { search_complete: true }\nexpect { no_violation: true }\n");
  const Report whole = Explore(plan, Fast());
  ASSERT_TRUE(whole.complete());
  EXPECT_GT(ExploreEveryShard(plan, "dpor: complete, preemption bound 2"), 0u);
}

// Iterative bounding splits too: every shard runs bounds 0, 1, 2, ... over
// its own subtrees of the unbounded search until one cuts nothing there,
// with sleep-set rounds and with DPOR rounds.
TEST(ExplorerShardingExhaustive, IterativeBoundingSplitsAcrossShards) {
  for (const char* strategy : {"EXHAUSTIVE", "DPOR"}) {
    const Plan plan = IcachePlan(
        "fixed", absl::StrCat("exploration { strategy: ", strategy,
                              " iterative_bounding: true iterations: 10000 }\n"
                              "expect { search_complete: true }\n"
                              "expect { no_violation: true }\n"));
    const Report whole = Explore(plan, Fast());
    ASSERT_TRUE(whole.complete()) << whole.strategy_summary();
    EXPECT_GT(ExploreEveryShard(plan,
                                "cut nothing, so every schedule of "
                                "this shard's subtrees was run"),
              0u)
        << strategy;
  }
}

// Exhaustive search with state caching: finds the bug and proves the fix
// complete. Sharded, it runs whole on shard 0 (split, each shard would
// search nearly every state), and the other shards say so instead of
// passing on nothing.
TEST(ExplorerStateCaching, FindsTheBugProvesTheFixAndSplits) {
  const Plan buggy = IcachePlan(
      "buggy",
      "exploration { strategy: EXHAUSTIVE state_caching: true iterations: "
      "10000 }\nexpect { violation: \"icache.use_after_free\" }\n");
  const Report found = Explore(buggy, Fast());
  EXPECT_TRUE(found.expectations_met());
  ASSERT_NE(FindViolation(found, kUseAfterFree), nullptr);
  const Plan fixed = IcachePlan(
      "fixed",
      "exploration { strategy: EXHAUSTIVE state_caching: true iterations: "
      "10000 }\nexpect { search_complete: true }\n"
      "expect { no_violation: true }\n");
  const Report whole = Explore(fixed, Fast());
  ASSERT_TRUE(whole.complete());
  EXPECT_TRUE(whole.expectations_met());
  // Runs the cache stops are not schedules.
  EXPECT_LT(whole.distinct_schedules(), whole.iterations_run());
  for (uint32_t shard = 0; shard < 2; ++shard) {
    ExplorerOptions options = Fast();
    options.shard_index = shard;
    options.total_shards = 2;
    const Report part = Explore(fixed, options);
    EXPECT_NE(part.shard_note().find("share most of their states"),
              std::string::npos)
        << part.shard_note();
    EXPECT_EQ(part.iterations_run(), shard == 0 ? whole.iterations_run() : 0u);
    EXPECT_TRUE(part.expectations_met()) << "shard " << shard;
  }
}

// Distinct schedules are counted up to distinct_limit hashes; past it the
// report keeps the count it had and says it is a lower bound.
TEST(ExplorerDistinct, CountingStopsAtTheLimitAndSaysSo) {
  const Plan plan = IcachePlan("buggy", kRandomCollectAll);
  const Report whole = Explore(plan, Fast());
  ASSERT_GT(whole.distinct_schedules(), 10u);
  EXPECT_FALSE(whole.distinct_schedules_capped());
  ExplorerOptions options = Fast();
  options.distinct_limit = 10;
  const Report capped = Explore(plan, options);
  EXPECT_EQ(capped.distinct_schedules(), 10u);
  EXPECT_TRUE(capped.distinct_schedules_capped());
  EXPECT_EQ(capped.iterations_run(), whole.iterations_run());
  options.distinct_limit = whole.distinct_schedules();
  const Report exact = Explore(plan, options);
  EXPECT_EQ(exact.distinct_schedules(), whole.distinct_schedules());
  EXPECT_FALSE(exact.distinct_schedules_capped());
}

// --outcomes: what every task saw, counted among the runs that finished;
// fewer than the schedules (several orders give one outcome), the same in
// every run of the plan, and not reported unless asked for.
TEST(ExplorerOutcomes, CountedWhenAskedAndCappedLikeSchedules) {
  const Plan plan = IcachePlan("buggy", kRandomCollectAll);
  const Report plain = Explore(plan, Fast());
  EXPECT_EQ(plain.outcome_runs(), 0u);
  EXPECT_EQ(plain.distinct_outcomes(), 0u);
  ExplorerOptions options = Fast();
  options.count_outcomes = true;
  const Report counted = Explore(plan, options);
  EXPECT_GT(counted.outcome_runs(), 0u);
  EXPECT_LE(counted.outcome_runs(), counted.iterations_run());
  EXPECT_GT(counted.distinct_outcomes(), 1u);
  EXPECT_LT(counted.distinct_outcomes(), counted.distinct_schedules());
  EXPECT_FALSE(counted.distinct_outcomes_capped());
  EXPECT_EQ(Explore(plan, options).distinct_outcomes(),
            counted.distinct_outcomes());
  // Outcomes are what tasks saw, not how: the schedules are unchanged.
  EXPECT_EQ(counted.distinct_schedules(), plain.distinct_schedules());
  options.distinct_limit = 1;
  const Report capped = Explore(plan, options);
  EXPECT_EQ(capped.distinct_outcomes(), 1u);
  EXPECT_TRUE(capped.distinct_outcomes_capped());
}

TEST(ExplorerDeterminism, SamePlanAndSeedGiveTheSameReport) {
  const Plan plan = IcachePlan("buggy", kRandomCollectAll);
  const Report a = Explore(plan);
  const Report b = Explore(plan);
  EXPECT_EQ(a.distinct_schedules(), b.distinct_schedules());
  EXPECT_EQ(a.total_steps(), b.total_steps());
  EXPECT_EQ(a.iterations_run(), b.iterations_run());
  ASSERT_EQ(a.violations_size(), b.violations_size());
  ASSERT_GT(a.violations_size(), 0);
  for (int i = 0; i < a.violations_size(); ++i) {
    EXPECT_EQ(a.violations(i).check(), b.violations(i).check());
    EXPECT_EQ(a.violations(i).iteration(), b.violations(i).iteration());
    EXPECT_EQ(a.violations(i).trace_hash(), b.violations(i).trace_hash());
    EXPECT_EQ(a.violations(i).replay_token(), b.violations(i).replay_token());
    EXPECT_EQ(a.violations(i).minimized_token(),
              b.violations(i).minimized_token());
    EXPECT_EQ(a.violations(i).rendered_table(),
              b.violations(i).rendered_table());
  }
}

// `faultline trace PLAN --iteration=N` shows what the explorer ran as
// iteration N: the first failure's iteration, rerun alone, has the failure's
// trace hash and violation (PCT: same k; exhaustive: same walk).
TEST(ExplorerDeterminism, RunPlanIterationIsTheExplorersIteration) {
  for (const std::string& rest :
       {std::string(kPctCollectAll),
        absl::StrCat("exploration { strategy: EXHAUSTIVE preemption_bound: 2 "
                     "iterations: 10000 }\n",
                     "expect { violation: \"icache.use_after_free\" }\n")}) {
    const Plan plan = IcachePlan("buggy", rest);
    const Report report = Explore(plan, Fast());
    const ViolationReport* v = FindViolation(report, kUseAfterFree);
    ASSERT_NE(v, nullptr) << rest;
    absl::StatusOr<IterationResult> again =
        RunPlanIteration(plan, v->iteration());
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(again->trace.hash, v->trace_hash()) << rest;
    ASSERT_FALSE(again->violations.empty()) << rest;
    EXPECT_EQ(again->violations[0].check, kUseAfterFree);
    EXPECT_FALSE(again->trace.events.empty());
  }
  const Plan small =
      IcachePlan("fixed",
                 "exploration { strategy: EXHAUSTIVE preemption_bound: 0 }\n"
                 "expect { no_violation: true }\n");
  absl::StatusOr<IterationResult> beyond = RunPlanIteration(small, 1000000);
  ASSERT_FALSE(beyond.ok());
  EXPECT_EQ(beyond.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_NE(beyond.status().message().find("has only"), std::string::npos)
      << beyond.status();
}

TEST(ExplorerDeterminism, SeedOverrideChangesTheSchedules) {
  const Plan plan = IcachePlan("buggy", kRandomCollectAll);
  const Report base = Explore(plan, Fast());
  ExplorerOptions options = Fast();
  options.seed = 12345;
  const Report other = Explore(plan, options);
  EXPECT_EQ(base.seed(), 7u);
  EXPECT_EQ(other.seed(), 12345u);
  ASSERT_GT(base.violations_size(), 0);
  ASSERT_GT(other.violations_size(), 0);
  // The first failing iteration runs under a seed derived from the override.
  const ViolationReport& v = other.violations(0);
  EXPECT_EQ(v.iteration_seed(), IterationSeed(12345, v.iteration()));
  EXPECT_NE(base.violations(0).replay_token(), v.replay_token());
  // Different schedules: some aggregate over all 61 iterations moved.
  EXPECT_TRUE(base.total_steps() != other.total_steps() ||
              base.violations_by_check().at(kUseAfterFree) !=
                  other.violations_by_check().at(kUseAfterFree) ||
              base.violations(0).trace_hash() != v.trace_hash())
      << "seed 7 and seed 12345 explored identical schedules";
}

constexpr char kExhaustive[] =
    "exploration { strategy: EXHAUSTIVE preemption_bound: 2 iterations: 10000 "
    "}\n";

TEST(ExplorerExhaustive, ReproducesBeforeFix) {
  const Plan plan = IcachePlan(
      "buggy",
      absl::StrCat(kExhaustive,
                   "expect { violation: \"icache.use_after_free\" }\n"));
  const Report report = Explore(plan, Fast());
  EXPECT_TRUE(report.expectations_met());
  EXPECT_GT(report.violations_by_check().count(kUseAfterFree), 0u);
  EXPECT_NE(FindViolation(report, kUseAfterFree), nullptr);
  EXPECT_EQ(report.stop_reason(), "decided");
  EXPECT_EQ(report.strategy(), "exhaustive");
}

TEST(ExplorerExhaustive, AbsentAfterFix) {
  const Plan plan =
      IcachePlan("fixed", absl::StrCat(kExhaustive,
                                       "expect { no_violation: true }\n"
                                       "expect { search_complete: true }\n"));
  const Report report = Explore(plan, Fast());
  EXPECT_TRUE(report.complete());
  EXPECT_EQ(report.stop_reason(), "exhausted");
  EXPECT_EQ(report.violations_size(), 0);
  EXPECT_TRUE(report.violations_by_check().empty());
  EXPECT_TRUE(report.expectations_met());
  ASSERT_EQ(report.expectations_size(), 2);
  EXPECT_TRUE(report.expectations(1).met()) << report.expectations(1).detail();
  EXPECT_LT(report.iterations_run(), 10000u);
}

TEST(ExplorerExhaustive, SearchCompleteFailsWhenBudgetEndsTheWalk) {
  const Plan plan =
      IcachePlan("fixed",
                 "exploration { strategy: EXHAUSTIVE preemption_bound: 2 "
                 "iterations: 2 }\nexpect { search_complete: true }\n");
  const Report report = Explore(plan, Fast());
  EXPECT_EQ(report.iterations_run(), 2u);
  EXPECT_FALSE(report.complete());
  EXPECT_FALSE(report.expectations_met());
}

TEST(ExplorerMinimize, MinimizedTokenReplaysAgainstItsPlan) {
  const Plan plan =
      IcachePlan("buggy",
                 "exploration { strategy: RANDOM seed: 3 iterations: 200 }\n"
                 "expect { violation: \"icache.use_after_free\" }\n");
  const Report report = Explore(plan);
  const ViolationReport* v = FindViolation(report, kUseAfterFree);
  ASSERT_NE(v, nullptr);
  ASSERT_FALSE(v->minimized_token().empty());

  absl::StatusOr<ReplayToken> token = DecodeReplayToken(v->minimized_token());
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(token->plan_hash, PlanHash(plan));
  EXPECT_EQ(token->seed, v->iteration_seed());
  EXPECT_LE(v->minimized_preemptions(), v->preemptions());

  ExpectReplayReproduces(plan, v->minimized_token(), kUseAfterFree);
  ExpectReplayReproduces(plan, v->replay_token(), kUseAfterFree);
}

TEST(ExplorerMinimize, TokenForAnotherPlanIsRefused) {
  const Plan buggy =
      IcachePlan("buggy",
                 "exploration { strategy: RANDOM seed: 3 iterations: 200 }\n"
                 "expect { violation: \"icache.use_after_free\" }\n");
  const Report report = Explore(buggy, Fast());
  ASSERT_GT(report.violations_size(), 0);
  Plan fixed = IcachePlan("fixed", "expect { no_violation: true }\n");
  fixed.mutable_exploration()->set_strategy(Exploration::REPLAY);
  fixed.mutable_exploration()->set_replay_token(
      report.violations(0).replay_token());
  Explorer explorer(fixed, "fixed.textproto", Fast());
  absl::StatusOr<Report> replayed = explorer.Run();
  ASSERT_FALSE(replayed.ok());
  EXPECT_NE(replayed.status().message().find("another plan"), std::string::npos)
      << replayed.status();
}

constexpr char kRandom200[] =
    "exploration { strategy: RANDOM seed: 11 iterations: 200 }\n"
    "expect { violation: \"icache.use_after_free\" }\n";

TEST(ExplorerStop, ExpectedViolationSeenDecidesTheRun) {
  const Report report = Explore(IcachePlan("buggy", kRandom200), Fast());
  EXPECT_EQ(report.stop_reason(), "decided");
  EXPECT_LT(report.iterations_run(), 200u);
  EXPECT_EQ(report.violations_by_check().at(kUseAfterFree), 1u);
  EXPECT_TRUE(report.expectations_met());
}

TEST(ExplorerStop, CollectAllRunsEveryIteration) {
  ExplorerOptions options = Fast();
  options.collect_all = true;
  const Report report = Explore(IcachePlan("buggy", kRandom200), options);
  EXPECT_EQ(report.stop_reason(), "iterations");
  EXPECT_EQ(report.iterations_run(), 200u);
  EXPECT_GT(report.violations_by_check().at(kUseAfterFree), 1u);
  EXPECT_TRUE(report.expectations_met());
}

TEST(ExplorerStop, ForbiddenViolationDecidesTheRun) {
  const Report report = Explore(
      IcachePlan("buggy",
                 "exploration { strategy: RANDOM seed: 11 iterations: 200 }\n"
                 "expect { no_violation: true }\n"),
      Fast());
  EXPECT_EQ(report.stop_reason(), "decided");
  EXPECT_LT(report.iterations_run(), 200u);
  EXPECT_FALSE(report.expectations_met());
}

TEST(ExplorerStop, TimeBudgetStopsTheRun) {
  const Plan plan =
      IcachePlan("fixed",
                 "exploration { strategy: RANDOM seed: 1 iterations: 100000000 "
                 "time_budget_ms: 1 }\nexpect { no_violation: true }\n");
  const Report report = Explore(plan, Fast());
  EXPECT_EQ(report.stop_reason(), "time_budget");
  EXPECT_LT(report.iterations_run(), report.iterations_planned());
  EXPECT_EQ(report.iterations_planned(), 100000000u);
}

}  // namespace
}  // namespace faultline
