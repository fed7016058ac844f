// Inline models (see model.h): a per-test scenario whose build calls the
// test's lambda, explored by the Explorer like any plan file.
#include "framework/testing/model.h"

#include <cstdlib>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "framework/explore/explorer.h"
#include "framework/explore/explorer_options.h"
#include "framework/explore/report_text.h"
#include "framework/explore/run_plan.h"
#include "framework/plan_loader.h"
#include "framework/runtime/trace/replay_token.h"
#include "framework/scenario.h"

namespace faultline {
namespace {

Plan ExplorationPlan(Exploration::Strategy strategy, uint64_t iterations,
                     uint64_t seed) {
  Plan plan;
  plan.set_version(1);
  Exploration* exploration = plan.mutable_exploration();
  exploration->set_strategy(strategy);
  exploration->set_iterations(iterations);
  exploration->set_seed(seed);
  return plan;
}

// The lambda of the CheckModel call running now. Scenarios stay registered
// for the life of the process (the registry has no removal); each one's
// build calls whatever lambda is current.
std::function<void(World&)>* current_build = nullptr;

std::string CurrentTestName() {
  const testing::TestInfo* info =
      testing::UnitTest::GetInstance()->current_test_info();
  if (info == nullptr) return "no_test";
  return absl::StrCat(info->test_suite_name(), ".", info->name());
}

// "test.<Suite>.<Test>", "#N" from the second call in the same test on;
// registered the first time it is used.
std::string ScenarioFor(const std::string& test) {
  static auto* calls = new absl::flat_hash_map<std::string, int>;
  const int n = ++(*calls)[test];
  std::string name = absl::StrCat("test.", test);
  if (n > 1) absl::StrAppend(&name, "#", n);
  if (ScenarioRegistry::Global().Find(name) == nullptr) {
    ScenarioInfo info;
    info.name = name;
    info.description = "inline model of test " + test;
    info.build = [](World& world, const ScenarioArgs&) {
      if (current_build == nullptr) {
        return absl::FailedPreconditionError(
            "inline model built outside CheckModel");
      }
      (*current_build)(world);
      return absl::OkStatus();
    };
    info.tasks = {"*"};
    ScenarioRegistry::Global().Register(std::move(info));
  }
  return name;
}

// The command that replays `token` in this test.
std::string ReplayCommand(const std::string& token) {
  const char* target = std::getenv("TEST_TARGET");
  const std::string filter = CurrentTestName();
  if (target != nullptr) {
    return absl::StrCat("bazel test ", target, " --test_filter=", filter,
                        " --test_env=FAULTLINE_REPLAY=", token,
                        " --test_output=streamed");
  }
  return absl::StrCat("FAULTLINE_REPLAY=", token, " <this test binary>",
                      " --gtest_filter=", filter);
}

// Explores `plan` (validated) and turns the report into the test's verdict.
testing::AssertionResult Explore(Plan plan, const std::string& label) {
  const char* replay = std::getenv("FAULTLINE_REPLAY");
  bool replaying = false;
  if (replay != nullptr && *replay != '\0') {
    absl::StatusOr<ReplayToken> token = DecodeReplayToken(replay);
    if (!token.ok()) {
      return testing::AssertionFailure()
             << "FAULTLINE_REPLAY: " << token.status().message();
    }
    if (token->plan_hash == PlanHash(plan)) {
      plan.mutable_exploration()->set_strategy(Exploration::REPLAY);
      plan.mutable_exploration()->set_replay_token(replay);
      replaying = true;
    }
  }
  ExplorerOptions options;
  options.progress = ExplorerOptions::Progress::kNone;
  Explorer explorer(plan, label, options);
  absl::StatusOr<Report> report = explorer.Run();
  if (!report.ok()) {
    return testing::AssertionFailure()
           << "faultline: " << label << ": " << report.status().message();
  }
  const std::string text = FormatReport(*report, ReportFormat{true, false});
  if (report->expectations_met()) {
    return testing::AssertionSuccess() << text;
  }
  testing::AssertionResult failure = testing::AssertionFailure();
  failure << "faultline: expectations not met\n" << text;
  if (replaying) {
    failure << "(replayed FAULTLINE_REPLAY=" << replay << ")\n";
  } else if (report->violations_size() > 0) {
    const ViolationReport& first = report->violations(0);
    const std::string& token = first.minimized_token().empty()
                                   ? first.replay_token()
                                   : first.minimized_token();
    failure << "replay it: " << ReplayCommand(token) << "\n";
  }
  return failure;
}

}  // namespace

Plan RandomWalkPlan(uint64_t iterations, uint64_t seed) {
  return ExplorationPlan(Exploration::RANDOM, iterations, seed);
}

Plan PctPlan(uint32_t depth, uint64_t iterations, uint64_t seed) {
  Plan plan = ExplorationPlan(Exploration::PCT, iterations, seed);
  plan.mutable_exploration()->set_pct_depth(depth);
  return plan;
}

Plan PosPlan(uint64_t iterations, uint64_t seed) {
  return ExplorationPlan(Exploration::POS, iterations, seed);
}

Plan ExhaustivePlan(uint32_t preemption_bound, uint64_t max_schedules) {
  Plan plan = ExplorationPlan(Exploration::EXHAUSTIVE, max_schedules, 1);
  plan.mutable_exploration()->set_preemption_bound(preemption_bound);
  return plan;
}

testing::AssertionResult CheckModel(const Plan& plan,
                                    std::function<void(World&)> build) {
  const std::string test = CurrentTestName();
  Plan inline_plan = plan;
  inline_plan.set_version(1);
  inline_plan.mutable_scenario()->Clear();
  inline_plan.mutable_scenario()->set_name(ScenarioFor(test));
  bool has_violation_expectation = false;
  for (const Expectation& e : inline_plan.expect()) {
    has_violation_expectation |= e.kind_case() != Expectation::kSearchComplete;
  }
  if (!has_violation_expectation) {
    inline_plan.add_expect()->set_no_violation(true);
    // "No violation" from a bounded exhaustive search means every schedule
    // within the bound was tried.
    if (inline_plan.exploration().strategy() == Exploration::EXHAUSTIVE) {
      inline_plan.add_expect()->set_search_complete(true);
    }
  }
  if (absl::Status valid = ValidatePlan(inline_plan); !valid.ok()) {
    return testing::AssertionFailure()
           << "faultline: plan of " << test << ": " << valid.message();
  }
  current_build = &build;
  testing::AssertionResult result = Explore(std::move(inline_plan), test);
  current_build = nullptr;
  return result;
}

testing::AssertionResult CheckPlanFile(const std::string& path) {
  absl::StatusOr<Plan> plan = LoadPlanFile(ResolvePlanPath(path));
  if (!plan.ok()) {
    return testing::AssertionFailure()
           << "faultline: " << plan.status().message();
  }
  return Explore(*std::move(plan), path);
}

}  // namespace faultline
