// Goal: each expectation kind is met exactly when the report says so.
// Method: hand-made reports with and without violations of named checks.
#include "framework/explore/expectations.h"

#include <google/protobuf/text_format.h>

#include "gtest/gtest.h"

namespace faultline {
namespace {

Plan PlanWith(const char* expect_text) {
  Plan plan;
  EXPECT_TRUE(
      google::protobuf::TextFormat::ParseFromString(expect_text, &plan));
  return plan;
}

Report ReportWith(std::vector<std::pair<std::string, uint64_t>> checks) {
  Report report;
  report.set_iterations_run(10);
  for (auto& [check, n] : checks)
    (*report.mutable_violations_by_check())[check] = n;
  return report;
}

TEST(Expectations, ViolationIsMetOnlyWhenThatCheckFailed) {
  Plan plan = PlanWith(R"pb(expect { violation: "a.b" })pb");
  Report found = ReportWith({{"a.b", 3}});
  EvaluateExpectations(plan, &found);
  EXPECT_TRUE(found.expectations_met());
  EXPECT_EQ(found.expectations(0).detail(), "violated in 3 of 10 iterations");

  Report other = ReportWith({{"c.d", 1}});
  EvaluateExpectations(plan, &other);
  EXPECT_FALSE(other.expectations_met());
}

TEST(Expectations, NoViolationFailsOnAnyCheck) {
  Plan plan = PlanWith(R"pb(expect { no_violation: true })pb");
  Report clean = ReportWith({});
  EvaluateExpectations(plan, &clean);
  EXPECT_TRUE(clean.expectations_met());
  Report dirty = ReportWith({{"x", 1}, {"deadlock", 2}});
  EvaluateExpectations(plan, &dirty);
  EXPECT_FALSE(dirty.expectations_met());
  EXPECT_EQ(dirty.expectations(0).detail(),
            "10 iterations; violations: deadlock x2, x x1");
}

TEST(Expectations, NoViolationOfIgnoresOtherChecks) {
  Plan plan = PlanWith(R"pb(expect { no_violation_of: "a" })pb");
  Report other = ReportWith({{"b", 4}});
  EvaluateExpectations(plan, &other);
  EXPECT_TRUE(other.expectations_met());
  Report hit = ReportWith({{"a", 1}});
  EvaluateExpectations(plan, &hit);
  EXPECT_FALSE(hit.expectations_met());
}

TEST(Expectations, AllMustHold) {
  Plan plan = PlanWith(R"pb(expect { violation: "a" }
                            expect { no_violation_of: "b" })pb");
  Report both = ReportWith({{"a", 1}, {"b", 1}});
  EvaluateExpectations(plan, &both);
  EXPECT_FALSE(both.expectations_met());
  EXPECT_TRUE(both.expectations(0).met());
  EXPECT_FALSE(both.expectations(1).met());
}

}  // namespace
}  // namespace faultline

namespace faultline {
namespace {

TEST(Expectations, SearchCompleteFollowsTheReport) {
  Plan plan = PlanWith(R"pb(exploration { strategy: EXHAUSTIVE }
                            expect { search_complete: true })pb");
  Report done = ReportWith({});
  done.set_complete(true);
  EvaluateExpectations(plan, &done);
  EXPECT_TRUE(done.expectations_met());
  EXPECT_EQ(done.expectations(0).detail(), "complete: 10 schedules");
  Report cut = ReportWith({});
  cut.set_stop_reason("iterations");
  EvaluateExpectations(plan, &cut);
  EXPECT_FALSE(cut.expectations_met());
}

}  // namespace
}  // namespace faultline
