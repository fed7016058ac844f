// Goal: a report's warnings and counts agree with the rows it shows. A
// minimized run may take a path no explored iteration took and fire a rule
// they never fired; that rule then has a [fault] row in the table, and the
// report must not also list it under "rules that never fired". A fault the
// failure does not need is removed from the minimized run.
// Method: a one-task scenario whose check fails if either of two faults
// fires, where the second point is reached only when the first fault did
// not fire. Every explored iteration fires only the first; the minimizer
// suppresses it (the second fires instead and the check still fails) and
// keeps the second, which the failure needs.
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_split.h"
#include "framework/check.h"
#include "framework/explore/explorer.h"
#include "framework/explore/explorer_options.h"
#include "framework/explore/report_text.h"
#include "framework/fault_point.h"
#include "framework/plan.pb.h"
#include "framework/plan_loader.h"
#include "framework/runtime/world.h"
#include "framework/scenario.h"
#include "gtest/gtest.h"

namespace faultline {
namespace {

absl::Status BuildEitherFault(World& world, const ScenarioArgs&) {
  world.Spawn("t", [] {
    const bool first = FL_FAULT_FAIL("minreport.first");
    const bool second = !first && FL_FAULT_FAIL("minreport.second");
    FL_BUG_ON(first || second, "minreport.failed");
  });
  return absl::OkStatus();
}

FL_REGISTER_SCENARIO((ScenarioInfo{
    "minreport.either_fault",
    "test-only: fails if either of two faults fires; the second point is "
    "reached only if the first fault did not fire",
    {},
    {},
    BuildEitherFault}));

constexpr char kPlan[] = R"pb(
  version: 1
  scenario { name: "minreport.either_fault" }
  exploration { strategy: RANDOM iterations: 3 seed: 1 }
  rules {
    point: "minreport.first"
    name: "first fault"
    fail {}
  }
  rules {
    point: "minreport.second"
    name: "second fault"
    fail {}
  }
  expect { violation: "minreport.failed" }
)pb";

TEST(MinimizeReport, NoRuleShownFiringIsReportedAsNeverFired) {
  absl::StatusOr<Plan> plan = ParsePlanText(kPlan, "either.textproto");
  ASSERT_TRUE(plan.ok()) << plan.status();
  ExplorerOptions options;
  options.collect_all = false;
  Explorer explorer(*plan, "either.textproto", options);
  absl::StatusOr<Report> report = explorer.Run();
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->violations_size(), 1);
  const ViolationReport& v = report->violations(0);
  const std::string text = FormatReport(*report, ReportFormat());

  // The needed fault stays, the other goes, and the count says so.
  EXPECT_NE(v.rendered_table().find("[fault] second fault"), std::string::npos)
      << text;
  EXPECT_EQ(v.rendered_table().find("[fault] first fault"), std::string::npos)
      << text;
  EXPECT_EQ(v.minimized_fault_fires(), 1u) << text;

  // No [fault] row names a rule the report says never fired.
  for (const std::string& rule : report->rules_never_fired()) {
    EXPECT_EQ(v.rendered_table().find("[fault] " + rule), std::string::npos)
        << rule << " has a [fault] row and is listed as never fired:\n"
        << text;
  }
  EXPECT_EQ(text.find("never fired: second fault"), std::string::npos) << text;
}

}  // namespace
}  // namespace faultline
