// Goal: the Explorer keeps its promises (explorer.h): sharding partitions the
// iteration space exactly, a plan and seed always give the same report, a
// seed override changes the schedules, bounded exhaustive search finds the
// toy inode-cache race and proves the fixed variant clean, minimized tokens
// replay against the plan they came from, expectations decide when to stop,
// the time budget stops a run, and the btrfs seed race is found, minimized
// and rendered as the race it is, on fibers and, from the run's own trace,
// on real threads.
// Method: plans written inline (or plans/seed_race_prefix.textproto loaded by
// path) over the toy inode cache (examples/inode_cache) and the btrfs_eb
// model, run in process with Explorer::Run; assertions only on the Report
// (never on wall time).
#include "framework/explore/explorer.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "framework/explore/explorer_options.h"
#include "framework/plan.pb.h"
#include "framework/plan_loader.h"
#include "framework/runtime/strategies/strategy.h"
#include "framework/runtime/trace/replay_token.h"
#include "gtest/gtest.h"

namespace faultline {
namespace {

constexpr char kUseAfterFree[] = "icache.use_after_free";
constexpr char kUnderIo[] = "btrfs_release_extent_buffer_pages.under_io";

// A plan over the toy inode cache: `variant`, then `rest` (exploration and
// expectations) verbatim.
Plan IcachePlan(const std::string& variant, const std::string& rest) {
  const std::string text = absl::StrCat(
      "version: 1\n"
      "scenario { name: \"icache.igrab_vs_iput\" variant: \"",
      variant, "\" }\n", rest);
  absl::StatusOr<Plan> plan = ParsePlanText(text, "inline.textproto");
  EXPECT_TRUE(plan.ok()) << plan.status() << "\n" << text;
  return plan.ok() ? *plan : Plan();
}

Report Explore(const Plan& plan, ExplorerOptions options = {}) {
  Explorer explorer(plan, "inline.textproto", options);
  absl::StatusOr<Report> report = explorer.Run();
  EXPECT_TRUE(report.ok()) << report.status();
  return report.ok() ? *report : Report();
}

// Options for runs whose failures need no minimizing or rendering.
ExplorerOptions Fast() {
  ExplorerOptions options;
  options.minimize = false;
  options.render = false;
  return options;
}

const ViolationReport* FindViolation(const Report& report,
                                     const std::string& check) {
  for (const ViolationReport& v : report.violations()) {
    if (v.check() == check) return &v;
  }
  return nullptr;
}

// `text` without whitespace, so wrapped cell text compares to one line.
std::string Squeeze(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c != ' ' && c != '\n' && c != '\t') out += c;
  }
  return out;
}

// The rows of a rendered task table (trace_table.h), each the squeezed
// concatenation of its cells: a row starts at a line whose first cell is
// its number and continues over the lines that wrap its text.
std::vector<std::string> TableRows(const std::string& table) {
  std::vector<std::vector<std::string>> rows;  // cells, joined per column
  for (absl::string_view line : absl::StrSplit(table, '\n')) {
    std::vector<std::string> cells = absl::StrSplit(line, '|');
    if (cells.size() < 2) continue;
    const std::string number = Squeeze(cells[0]);
    const bool starts =
        !number.empty() &&
        number.find_first_not_of("0123456789") == std::string::npos;
    if (starts) {
      rows.emplace_back(cells.size());
    } else if (!number.empty() || rows.empty()) {
      continue;  // header or separator
    }
    std::vector<std::string>& row = rows.back();
    if (row.size() < cells.size()) row.resize(cells.size());
    for (size_t c = 1; c < cells.size(); ++c) row[c] += Squeeze(cells[c]);
  }
  std::vector<std::string> out;
  for (const std::vector<std::string>& row : rows)
    out.push_back(absl::StrJoin(row, "|"));
  return out;
}

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

// Equal step totals mean every iteration ran the same schedule in both
// layouts: PCT's k must not be learned from the iterations a shard ran.
class ExplorerSharding : public ::testing::TestWithParam<const char*> {};

INSTANTIATE_TEST_SUITE_P(RandomAndPct, ExplorerSharding,
                         ::testing::Values(kRandomCollectAll, kPctCollectAll,
                                           kPctChoiceCollectAll));

TEST_P(ExplorerSharding, ShardsPartitionTheUnshardedRun) {
  const Plan plan = IcachePlan("buggy", GetParam());
  const Report whole = Explore(plan, Fast());
  ASSERT_EQ(whole.iterations_run(), 61u);
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

TEST(ExplorerShardingExhaustive, ExhaustiveRunsOnShardZeroOnly) {
  const Plan plan =
      IcachePlan("fixed",
                 "exploration { strategy: EXHAUSTIVE preemption_bound: 2 "
                 "iterations: 10000 }\nexpect { search_complete: true }\n");
  for (uint32_t shard = 1; shard < 3; ++shard) {
    ExplorerOptions options = Fast();
    options.shard_index = shard;
    options.total_shards = 3;
    const Report part = Explore(plan, options);
    EXPECT_EQ(part.iterations_planned(), 0u);
    EXPECT_EQ(part.iterations_run(), 0u);
  }
  ExplorerOptions zero = Fast();
  zero.total_shards = 3;
  const Report part = Explore(plan, zero);
  EXPECT_GT(part.iterations_run(), 0u);
  EXPECT_TRUE(part.complete());
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
  for (const std::string rest :
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

// Checks that `token` replays against `plan` to a violation of `check`.
void ExpectReplayReproduces(const Plan& plan, const std::string& token,
                            const std::string& check) {
  // A replay plan keeps the scenario, rules and expectations; of the
  // exploration only what replay reads.
  Plan replay = plan;
  Exploration* exploration = replay.mutable_exploration();
  exploration->Clear();
  exploration->set_strategy(Exploration::REPLAY);
  exploration->set_replay_token(token);
  exploration->set_max_steps(plan.exploration().max_steps());
  ASSERT_TRUE(ValidatePlan(replay).ok()) << ValidatePlan(replay);
  Explorer explorer(replay, "replay.textproto", Fast());
  absl::StatusOr<Report> report = explorer.Run();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->strategy(), "replay");
  EXPECT_EQ(report->iterations_run(), 1u);
  EXPECT_GT(report->violations_by_check().count(check), 0u)
      << "token " << token << " did not reproduce " << check;
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

// The README's job: PCT finds the seed race before the fix; the minimized
// run is the race of the seed's commit message, row for row.
TEST(ExplorerSeedRace, FoundMinimizedAndRenderedInOrder) {
  absl::StatusOr<Plan> plan = LoadPlanFile("plans/seed_race_prefix.textproto");
  ASSERT_TRUE(plan.ok()) << plan.status();
  ExplorerOptions options;
  options.collect_all = false;  // stop at the first BUG_ON
  Explorer explorer(*plan, "plans/seed_race_prefix.textproto", options);
  absl::StatusOr<Report> report = explorer.Run();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->expectations_met());
  EXPECT_EQ(report->stop_reason(), "decided");
  const ViolationReport* v = FindViolation(*report, kUnderIo);
  ASSERT_NE(v, nullptr);
  ASSERT_FALSE(v->minimized_token().empty());
  EXPECT_LE(v->minimized_preemptions(), 4u);

  // Each needle must be in a later row than the previous one.
  const std::vector<std::string> rows = TableRows(v->rendered_table());
  const std::vector<std::string> needles = {
      "try_release_extent_buffer: refs == 1",
      "find_extent_buffer: found, inc_not_zero refs 1->2",
      "try_release_extent_buffer: clear TREE_REF",
      "set io_pages",
      "release_extent_buffer: refs -> 0",
      kUnderIo,
  };
  size_t next = 0;
  for (const std::string& needle : needles) {
    const std::string want = Squeeze(needle);
    while (next < rows.size() && rows[next].find(want) == std::string::npos) {
      ++next;
    }
    ASSERT_LT(next, rows.size())
        << "no row \"" << needle << "\" after the previous one in:\n"
        << v->rendered_table();
    ++next;
  }
}

// The minimized token of a plan with delay rules replays against the plan
// file as written: report tokens never depend on a plan the minimizer
// changed (e.g. with shortened delays).
TEST(ExplorerSeedRace, MinimizedTokenReplaysAgainstThePlanFile) {
  absl::StatusOr<Plan> plan = LoadPlanFile("plans/seed_race_prefix.textproto");
  ASSERT_TRUE(plan.ok()) << plan.status();
  ExplorerOptions options;
  options.collect_all = false;
  options.render = false;
  Explorer explorer(*plan, "plans/seed_race_prefix.textproto", options);
  absl::StatusOr<Report> report = explorer.Run();
  ASSERT_TRUE(report.ok()) << report.status();
  const ViolationReport* v = FindViolation(*report, kUnderIo);
  ASSERT_NE(v, nullptr);
  absl::StatusOr<ReplayToken> token = DecodeReplayToken(v->minimized_token());
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(token->plan_hash, PlanHash(*plan));
  ExpectReplayReproduces(*plan, v->replay_token(), kUnderIo);
  ExpectReplayReproduces(*plan, v->minimized_token(), kUnderIo);
}

// The thread backend: the same race found by real threads, reported with a
// best-effort token (strategy kThreads, no switches) and rendered from the
// failing run's own trace, since it cannot be replayed or minimized. Row
// order between tasks is the order their notes were recorded, so only the
// presence of the race's steps is asserted, and that the BUG_ON ends it.
TEST(ExplorerThreads, SeedRaceFoundOnRealThreadsAndRenderedFromItsOwnTrace) {
  constexpr char kPath[] = "plans/seed_race_prefix_threads.textproto";
  absl::StatusOr<Plan> plan = LoadPlanFile(kPath);
  ASSERT_TRUE(plan.ok()) << plan.status();
  Explorer explorer(*plan, kPath, ExplorerOptions());
  absl::StatusOr<Report> report = explorer.Run();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->expectations_met());
  EXPECT_EQ(report->backend(), "threads");
  EXPECT_EQ(report->strategy(), "os");
  const ViolationReport* v = FindViolation(*report, kUnderIo);
  ASSERT_NE(v, nullptr);
  EXPECT_TRUE(v->minimized_token().empty());
  EXPECT_GE(v->fault_fires(), 1u);
  absl::StatusOr<ReplayToken> token = DecodeReplayToken(v->replay_token());
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(token->strategy, static_cast<uint8_t>(StrategyKind::kThreads));
  EXPECT_TRUE(token->switches.empty());
  EXPECT_EQ(token->seed, v->iteration_seed());

  const std::vector<std::string> rows = TableRows(v->rendered_table());
  ASSERT_FALSE(rows.empty());
  for (const char* needle :
       {"try_release_extent_buffer: clear TREE_REF", "set io_pages",
        "release_extent_buffer: refs -> 0"}) {
    const std::string want = Squeeze(needle);
    EXPECT_TRUE(std::any_of(rows.begin(), rows.end(),
                            [&](const std::string& row) {
                              return row.find(want) != std::string::npos;
                            }))
        << "no row \"" << needle << "\" in:\n"
        << v->rendered_table();
  }
  EXPECT_NE(rows.back().find(kUnderIo), std::string::npos)
      << v->rendered_table();
}

}  // namespace
}  // namespace faultline
