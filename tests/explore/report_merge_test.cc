// Goal: merging a sharded run's reports gives the verdict one unsharded run
// would: counts add up, a violation in any shard counts, a split search is
// complete only if every share is and the shares cover every subtree, and
// reports that are not the shards of one run are refused by name.
// Method: hand-made shard reports of a small plan (what `faultline run
// --shard=K/N --json_out` writes), merged by MergeShardReports; the JSON
// round trip through ReportFromJson. tests/cli/faultline_cli_test.sh runs
// `faultline merge` on real shard reports.
#include "framework/explore/report_merge.h"

#include <google/protobuf/text_format.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "framework/explore/explorer.h"
#include "framework/explore/report_text.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace faultline {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Plan MakePlan(const char* expect) {
  Plan plan;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(
      absl::StrCat(R"pb(scenario { name: "demo" }
                        rules {
                          name: "r"
                          point: "p"
                          fail {}
                        })pb",
                   expect),
      &plan));
  return plan;
}

// Shard `index` of `total` of plan's run, with `subtrees` of `of` subtrees.
Report Shard(const Plan& plan, uint32_t index, uint32_t total,
             uint64_t iterations, bool complete, uint64_t subtrees = 0,
             uint64_t of = 0) {
  Report r;
  r.set_plan_path("plans/demo.textproto");
  r.set_scenario("demo");
  r.set_backend("fibers");
  r.set_strategy("exhaustive");
  r.set_seed(7);
  r.set_plan_hash(PlanHash(plan));
  r.set_shard_index(index);
  r.set_total_shards(total);
  r.set_iterations_planned(iterations);
  r.set_iterations_run(iterations);
  r.set_distinct_schedules(iterations);
  r.set_total_steps(iterations * 10);
  r.set_wall_seconds(1.0 + index);
  r.set_complete(complete);
  r.set_stop_reason(complete ? "exhausted" : "iterations");
  r.set_split_subtrees_total(of);
  r.set_split_subtrees_here(subtrees);
  return r;
}

void AddViolation(Report* r, const std::string& check, uint64_t hits,
                  const std::string& token, uint64_t iteration = 0) {
  (*r->mutable_violations_by_check())[check] += hits;
  ViolationReport* v = r->add_violations();
  v->set_check(check);
  v->set_replay_token(token);
  v->set_iteration(iteration);
}

const char* kClean =
    "expect { no_violation: true } expect { search_complete: true }";

TEST(ReportMerge, SplitSearchIsCompleteWhenEveryShareIs) {
  const Plan plan = MakePlan(kClean);
  absl::StatusOr<Report> merged = MergeShardReports(
      plan,
      {Shard(plan, 1, 2, 30, true, 4, 9), Shard(plan, 0, 2, 20, true, 5, 9)});
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_TRUE(merged->complete());
  EXPECT_TRUE(merged->expectations_met());
  EXPECT_EQ(merged->iterations_run(), 50u);
  EXPECT_EQ(merged->total_steps(), 500u);
  EXPECT_EQ(merged->split_subtrees_here(), 9u);
  EXPECT_EQ(merged->merged_shards(), 2u);
  EXPECT_EQ(merged->stop_reason(), "exhausted");
  // Side by side: as long as the slower shard.
  EXPECT_DOUBLE_EQ(merged->wall_seconds(), 2.0);
  EXPECT_THAT(FormatReport(*merged, ReportFormat{}),
              HasSubstr("2 shards merged"));
}

// Shards' outcomes overlap: the merge keeps the largest count as a lower
// bound and says "at least"; the runs counted add up.
TEST(ReportMerge, OutcomesKeepTheLargestShardsCountAsALowerBound) {
  const Plan plan = MakePlan(kClean);
  Report a = Shard(plan, 0, 2, 20, true, 5, 9);
  a.set_distinct_outcomes(7);
  a.set_outcome_runs(20);
  Report b = Shard(plan, 1, 2, 30, true, 4, 9);
  b.set_distinct_outcomes(11);
  b.set_outcome_runs(30);
  absl::StatusOr<Report> merged = MergeShardReports(plan, {a, b});
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_EQ(merged->distinct_outcomes(), 11u);
  EXPECT_TRUE(merged->distinct_outcomes_capped());
  EXPECT_EQ(merged->outcome_runs(), 50u);
  EXPECT_THAT(FormatReport(*merged, ReportFormat{}),
              HasSubstr("outcomes: at least 11 distinct"));
  absl::StatusOr<Report> one =
      MergeShardReports(plan, {a, Shard(plan, 1, 2, 30, true, 4, 9)});
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(one->distinct_outcomes(), 7u);
  EXPECT_FALSE(one->distinct_outcomes_capped());
}

// A shard that stopped counting distinct schedules makes the sum a lower
// bound, and the text says so.
TEST(ReportMerge, ACappedDistinctCountStaysALowerBound) {
  const Plan plan = MakePlan(kClean);
  Report capped = Shard(plan, 1, 2, 30, true, 4, 9);
  capped.set_distinct_schedules_capped(true);
  absl::StatusOr<Report> merged =
      MergeShardReports(plan, {capped, Shard(plan, 0, 2, 20, true, 5, 9)});
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_TRUE(merged->distinct_schedules_capped());
  EXPECT_EQ(merged->distinct_schedules(), 50u);
  EXPECT_THAT(FormatReport(*merged, ReportFormat{}),
              HasSubstr("at least 50 distinct schedules"));
  absl::StatusOr<Report> exact = MergeShardReports(
      plan,
      {Shard(plan, 1, 2, 30, true, 4, 9), Shard(plan, 0, 2, 20, true, 5, 9)});
  ASSERT_TRUE(exact.ok()) << exact.status();
  EXPECT_FALSE(exact->distinct_schedules_capped());
  EXPECT_THAT(FormatReport(*exact, ReportFormat{}),
              HasSubstr(", 50 distinct schedules"));
}

TEST(ReportMerge, OneUnfinishedShareMakesTheSearchIncomplete) {
  const Plan plan = MakePlan(kClean);
  absl::StatusOr<Report> merged = MergeShardReports(
      plan,
      {Shard(plan, 0, 2, 20, true, 5, 9), Shard(plan, 1, 2, 30, false, 4, 9)});
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_FALSE(merged->complete());
  EXPECT_FALSE(merged->expectations_met());
  EXPECT_EQ(merged->stop_reason(), "exhausted, iterations");
}

TEST(ReportMerge, SharesThatMissSubtreesAreNotComplete) {
  const Plan plan = MakePlan(kClean);
  absl::StatusOr<Report> merged = MergeShardReports(
      plan,
      {Shard(plan, 0, 2, 20, true, 5, 10), Shard(plan, 1, 2, 30, true, 4, 10)});
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_FALSE(merged->complete());
}

TEST(ReportMerge, UnsplitSearchIsJudgedOnTheShardThatRanIt) {
  const Plan plan = MakePlan(kClean);
  // Shard 1 of a search that cannot split ran nothing (planned 0).
  absl::StatusOr<Report> merged = MergeShardReports(
      plan, {Shard(plan, 0, 2, 40, true), Shard(plan, 1, 2, 0, false)});
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_TRUE(merged->complete());
  EXPECT_TRUE(merged->expectations_met());

  absl::StatusOr<Report> idle = MergeShardReports(
      plan, {Shard(plan, 0, 2, 0, false), Shard(plan, 1, 2, 0, false)});
  ASSERT_TRUE(idle.ok()) << idle.status();
  EXPECT_FALSE(idle->complete());
}

TEST(ReportMerge, AViolationInAnyShardCountsAndKeepsTheEarliestToken) {
  const Plan plan = MakePlan(R"pb(expect { violation: "bug" })pb");
  Report s0 = Shard(plan, 0, 3, 10, false);
  Report s1 = Shard(plan, 1, 3, 10, false);
  Report s2 = Shard(plan, 2, 3, 10, false);
  AddViolation(&s0, "bug", 1, "fl3-from-shard-0", 30);
  AddViolation(&s2, "bug", 2, "fl3-from-shard-2", 11);
  AddViolation(&s1, "bug", 1, "fl3-from-shard-1", 11);
  AddViolation(&s1, "other", 4, "fl3-other", 4);
  absl::StatusOr<Report> merged = MergeShardReports(plan, {s2, s0, s1});
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_TRUE(merged->expectations_met());
  EXPECT_EQ(merged->violations_by_check().at("bug"), 4u);
  EXPECT_EQ(merged->violations_by_check().at("other"), 4u);
  ASSERT_EQ(merged->violations_size(), 2);
  EXPECT_EQ(merged->violations(0).replay_token(), "fl3-from-shard-1");
  EXPECT_EQ(merged->violations(1).check(), "other");

  const Plan clean = MakePlan(R"pb(expect { no_violation: true })pb");
  Report c0 = Shard(clean, 0, 2, 10, false);
  Report c1 = Shard(clean, 1, 2, 10, false);
  AddViolation(&c1, "bug", 1, "fl3-x");
  absl::StatusOr<Report> dirty = MergeShardReports(clean, {c0, c1});
  ASSERT_TRUE(dirty.ok()) << dirty.status();
  EXPECT_FALSE(dirty->expectations_met());
}

TEST(ReportMerge, PointsAndRulesAddUpAndNeverReachedIsWhatNoShardReached) {
  const Plan plan = MakePlan(kClean);
  Report s0 = Shard(plan, 0, 2, 10, true);
  Report s1 = Shard(plan, 1, 2, 10, true);
  for (Report* r : {&s0, &s1}) {
    PointStats* p = r->add_points();
    p->set_name("p");
    p->set_reached(5);
    (*p->mutable_fired())["fail"] = 2;
    RuleStats* rule = r->add_rules();
    rule->set_name("r");
    rule->set_point("p");
    rule->set_fired(2);
  }
  s0.add_points_never_reached("q");
  s0.add_points_never_reached("z");
  s1.add_points_never_reached("z");
  s1.add_rules_never_fired("r2");
  absl::StatusOr<Report> merged = MergeShardReports(plan, {s0, s1});
  ASSERT_TRUE(merged.ok()) << merged.status();
  ASSERT_EQ(merged->points_size(), 1);
  EXPECT_EQ(merged->points(0).reached(), 10u);
  EXPECT_EQ(merged->points(0).fired().at("fail"), 4u);
  EXPECT_EQ(merged->rules(0).fired(), 4u);
  EXPECT_THAT(merged->points_never_reached(), ElementsAre("z"));
  EXPECT_TRUE(merged->rules_never_fired().empty());
}

TEST(ReportMerge, RefusesReportsThatAreNotTheShardsOfOneRun) {
  const Plan plan = MakePlan(kClean);
  auto error = [&](std::vector<Report> shards) {
    absl::StatusOr<Report> merged = MergeShardReports(plan, std::move(shards));
    EXPECT_FALSE(merged.ok());
    return std::string(merged.status().message());
  };
  EXPECT_THAT(error({}), HasSubstr("no shard reports"));
  EXPECT_THAT(error({Shard(plan, 0, 3, 1, true), Shard(plan, 2, 3, 1, true)}),
              HasSubstr("shard 1 of 3 missing"));
  EXPECT_THAT(error({Shard(plan, 0, 2, 1, true), Shard(plan, 0, 2, 1, true),
                     Shard(plan, 1, 2, 1, true)}),
              HasSubstr("shard 0 is given twice"));
  EXPECT_THAT(error({Shard(plan, 0, 2, 1, true), Shard(plan, 1, 3, 1, true)}),
              HasSubstr("is one of 3 shards, the first report one of 2"));

  Report other_plan = Shard(plan, 1, 2, 1, true);
  other_plan.set_plan_hash(other_plan.plan_hash() + 1);
  EXPECT_THAT(error({Shard(plan, 0, 2, 1, true), other_plan}),
              HasSubstr("the report of shard 1 (plans/demo.textproto) is of "
                        "another plan"));
  Report other_seed = Shard(plan, 1, 2, 1, true);
  other_seed.set_seed(8);
  EXPECT_THAT(error({Shard(plan, 0, 2, 1, true), other_seed}),
              HasSubstr("ran seed 8 with exhaustive on fibers, the first "
                        "report seed 7"));
  Report merged_already = Shard(plan, 1, 2, 1, true);
  merged_already.set_merged_shards(2);
  EXPECT_THAT(error({Shard(plan, 0, 2, 1, true), merged_already}),
              HasSubstr("is itself a merge of 2 shards"));
  EXPECT_THAT(error({Shard(plan, 0, 2, 1, true, 1, 3),
                     Shard(plan, 1, 2, 1, true, 1, 4)}),
              HasSubstr("shard 1 split the search into 4 subtrees, shard 0 "
                        "into 3"));
}

TEST(ReportMerge, ReadsTheJsonARunWrites) {
  const Plan plan = MakePlan(kClean);
  Report shard = Shard(plan, 0, 1, 12, true);
  AddViolation(&shard, "bug", 1, "fl3-t");
  absl::StatusOr<std::string> json = ReportToJson(shard);
  ASSERT_TRUE(json.ok());
  absl::StatusOr<Report> back = ReportFromJson(*json);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->SerializeAsString(), shard.SerializeAsString());

  absl::StatusOr<Report> bad = ReportFromJson("{\"iterations_run\": \"x\"}");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("not a faultline report"));
  EXPECT_FALSE(ReportFromJson("{\"no_such_field\": 1}").ok());
  EXPECT_FALSE(ReportFromJson("not json").ok());
}

}  // namespace
}  // namespace faultline
