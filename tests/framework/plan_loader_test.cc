// Goal: good plans load, from files and from code; files that are not plans
// (missing, not regular, too large) are refused with one clear message; the
// check registry lists the checks plans may name; code-built plans validate
// against the registries given.
// Method: the names plans use are registered by plan_test_names.cc; good
// plans are loaded from testdata/ by file. Bad plan text is
// plan_rejection_test.cc's.
#include "framework/plan_loader.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "framework/check_registry.h"
#include "framework/fault_point.h"
#include "framework/hooks.h"
#include "framework/scenario.h"
#include "framework/site_registry.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace faultline {
namespace {

using ::testing::HasSubstr;

TEST(LoadPlanFile, LoadsTheMinimalPlan) {
  absl::StatusOr<Plan> plan =
      LoadPlanFile("tests/framework/testdata/minimal.textproto");
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->version(), 1u);
  EXPECT_EQ(plan->scenario().name(), "plantest.seed_race");
}

TEST(LoadPlanFile, LoadsAPlanThatSetsEveryField) {
  absl::StatusOr<Plan> plan =
      LoadPlanFile("tests/framework/testdata/every_field.textproto");
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->rules_size(), 6);
  EXPECT_EQ(plan->scenario().params().at("threads"), "4");
  EXPECT_EQ(plan->exploration().strategy(), Exploration::PCT);
  EXPECT_EQ(plan->exploration().pct_steps(), Exploration::PCT_CHOICE_STEPS);
  EXPECT_DOUBLE_EQ(plan->rules(0).probability(), 0.5);
  EXPECT_EQ(plan->rules(5).wait_for().timeout_ns(), 1000000);
}

TEST(LoadPlanFile, LoadsAReplayPlan) {
  absl::StatusOr<Plan> plan =
      LoadPlanFile("tests/framework/testdata/replay.textproto");
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->exploration().replay_token(),
            "fl3-CbKCHTvwo_bKES8AWx8iIimcGAIiAgQDKgICASuDUDo");
}

TEST(LoadPlanFile, ErrorNamesTheFileLineAndColumn) {
  absl::StatusOr<Plan> plan =
      LoadPlanFile("tests/framework/testdata/typo_scenario.textproto");
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(plan.status().message(),
            "tests/framework/testdata/typo_scenario.textproto:5:3: "
            "scenario.name: unknown scenario \"plantest.seed_rase\"; did you "
            "mean \"plantest.seed_race\"?");
}

TEST(LoadPlanFile, MissingFileIsNotFound) {
  absl::StatusOr<Plan> plan =
      LoadPlanFile("tests/framework/testdata/no_such_plan.textproto");
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(plan.status().message(),
              HasSubstr("no_such_plan.textproto: cannot open plan: No such "
                        "file or directory"));
}

// A FIFO would block the open until a writer comes and /dev/zero would be
// read until memory runs out; both are refused before opening.
TEST(LoadPlanFile, RefusesFilesThatAreNotRegular) {
  const std::string fifo =
      absl::StrCat(::testing::TempDir(), "/plan_fifo.textproto");
  ::unlink(fifo.c_str());
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  absl::StatusOr<Plan> plan = LoadPlanFile(fifo);
  EXPECT_EQ(plan.status().message(),
            absl::StrCat(fifo,
                         ": not a regular file; a plan is a textproto "
                         "file"));
  plan = LoadPlanFile("/dev/zero");
  EXPECT_EQ(plan.status().message(),
            "/dev/zero: not a regular file; a plan is a textproto file");
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(LoadPlanFile, RefusesAPlanLargerThanTheLimit) {
  const std::string path =
      absl::StrCat(::testing::TempDir(), "/plan_large.textproto");
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << std::string(kMaxPlanFileBytes + 1, '#');
  }
  absl::StatusOr<Plan> plan = LoadPlanFile(path);
  EXPECT_EQ(plan.status().message(),
            absl::StrCat(path,
                         ": plan is 1048577 bytes; the limit is "
                         "1048576 (1 MiB)"));
}

TEST(ParsePlanText, AcceptsDeclaredTasksAndChecks) {
  // A task matching a declared pattern, a role, a runtime check and a check
  // only the scenario declares.
  absl::StatusOr<Plan> plan = ParsePlanText(
      "version: 1\n"
      "scenario { name: \"plantest.seed_race\" }\n"
      "rules { point: \"plantest.alloc_page\" tasks: \"reader12\" "
      "tasks: \"io\" fail {} }\n"
      "expect { no_violation_of: \"deadlock\" }\n"
      "expect { violation: \"plantest.quiescent_leak\" }\n",
      "good.textproto");
  EXPECT_TRUE(plan.ok()) << plan.status();
}

TEST(CheckRegistry, ListsMacroChecksAndRuntimeChecks) {
  const CheckRegistry& registry = CheckRegistry::Get();
  EXPECT_TRUE(registry.Contains("plantest.refcount_underflow"));
  EXPECT_TRUE(registry.Contains("plantest.leak"));
  EXPECT_TRUE(registry.Contains("livelock.step_budget"));
  EXPECT_FALSE(registry.Contains("plantest.quiescent_leak"));
  for (const CheckInfo& info : registry.checks()) {
    if (info.name != "plantest.leak") continue;
    EXPECT_FALSE(info.fatal);
    ASSERT_EQ(info.where.size(), 1u);
    EXPECT_THAT(info.where[0],
                HasSubstr("tests/framework/plan_test_names.cc:"));
  }
}

TEST(ValidatePlan, CodeBuiltPlanErrorsCarryThePathButNoPosition) {
  Plan plan;
  plan.set_version(1);
  plan.mutable_scenario()->set_name("plantest.seed_race");
  plan.add_expect()->set_no_violation(true);
  EXPECT_TRUE(ValidatePlan(plan).ok()) << ValidatePlan(plan);
  Rule* rule = plan.add_rules();
  rule->set_point("plantest.alloc_page");
  rule->mutable_fail();
  rule->set_probability(1.5);
  EXPECT_EQ(std::string(ValidatePlan(plan).message()),
            "rules[0].probability: expected a value in [0, 1], got 1.5");
}

TEST(ValidatePlan, ChecksAgainstTheRegistriesItIsGiven) {
  Plan plan;
  plan.set_version(1);
  plan.mutable_scenario()->set_name("plantest.seed_race");
  plan.add_expect()->set_no_violation(true);
  Rule* rule = plan.add_rules();
  rule->set_point("plantest.alloc_page");
  rule->mutable_fail();
  ASSERT_TRUE(ValidatePlan(plan).ok());
  // A registry of this binary's sites minus the one the rule names.
  std::vector<const SiteDescriptor*> others;
  for (const PointInfo& point : SiteRegistry::Get().points()) {
    if (point.name == "plantest.alloc_page") continue;
    others.insert(others.end(), point.sites.begin(), point.sites.end());
  }
  const SiteRegistry without(others);
  EXPECT_EQ(std::string(ValidatePlan(plan, without, ScenarioRegistry::Global(),
                                     HookRegistry::Global())
                            .message()),
            "rules[0].point: unknown fault point \"plantest.alloc_page\"; "
            "known points: \"plantest.after_lock\", \"plantest.before_lock\", "
            "\"plantest.read_block\"");
  const ScenarioRegistry no_scenarios;
  EXPECT_EQ(std::string(ValidatePlan(plan, SiteRegistry::Get(), no_scenarios,
                                     HookRegistry::Global())
                            .message()),
            "scenario.name: unknown scenario \"plantest.seed_race\"; this "
            "binary registers no scenarios");
}

}  // namespace
}  // namespace faultline
