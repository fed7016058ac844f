// Plan expectations judged against a Report (see expectations.h).
#include "framework/explore/expectations.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "framework/check.h"

namespace faultline {
namespace {

std::string CheckList(const Report& report) {
  std::vector<std::string> parts;
  for (const auto& [check, count] : report.violations_by_check()) {
    parts.push_back(absl::StrCat(check, " x", count));
  }
  std::sort(parts.begin(), parts.end());  // map order is unspecified
  return parts.empty() ? "none" : absl::StrJoin(parts, ", ");
}

// How many iterations violated `check`.
uint64_t Hits(const Report& report, const std::string& check) {
  const auto& by_check = report.violations_by_check();
  auto it = by_check.find(check);
  return it == by_check.end() ? 0 : it->second;
}

ExpectationResult JudgeViolation(const std::string& check,
                                 const Report& report) {
  ExpectationResult result;
  const uint64_t hits = Hits(report, check);
  result.set_expectation(absl::StrCat("violation: ", check));
  result.set_met(hits > 0);
  result.set_detail(absl::StrCat("violated in ", hits, " of ",
                                 report.iterations_run(), " iterations"));
  return result;
}

ExpectationResult JudgeNoViolation(const Report& report) {
  ExpectationResult result;
  result.set_expectation("no_violation");
  result.set_met(report.violations_by_check().empty());
  result.set_detail(absl::StrCat(
      report.iterations_run(), " iterations; violations: ", CheckList(report)));
  return result;
}

ExpectationResult JudgeNoViolationOf(const std::string& check,
                                     const Report& report) {
  ExpectationResult result;
  const uint64_t hits = Hits(report, check);
  result.set_expectation(absl::StrCat("no_violation_of: ", check));
  result.set_met(hits == 0);
  result.set_detail(absl::StrCat("violated in ", hits, " of ",
                                 report.iterations_run(), " iterations"));
  return result;
}

ExpectationResult JudgeSearchComplete(const Report& report) {
  ExpectationResult result;
  const uint64_t runs = report.iterations_run();
  result.set_expectation("search_complete");
  result.set_met(report.complete());
  result.set_detail(
      report.complete()
          ? absl::StrCat("complete: ", runs, " schedules")
          : absl::StrCat("not complete after ", runs,
                         " schedules (stopped: ", report.stop_reason(), ")"));
  return result;
}

ExpectationResult Judge(const Expectation& expect, const Report& report) {
  switch (expect.kind_case()) {
    case Expectation::kViolation:
      return JudgeViolation(expect.violation(), report);
    case Expectation::kNoViolation:
      return JudgeNoViolation(report);
    case Expectation::kNoViolationOf:
      return JudgeNoViolationOf(expect.no_violation_of(), report);
    case Expectation::kSearchComplete:
      return JudgeSearchComplete(report);
    case Expectation::KIND_NOT_SET:
      break;
  }
  ExpectationResult result;
  result.set_expectation("(empty expectation)");
  result.set_met(false);
  result.set_detail("an expectation must say what to expect");
  return result;
}

}  // namespace

void EvaluateExpectations(const Plan& plan, Report* report) {
  FL_CHECK(report != nullptr);
  report->clear_expectations();
  bool all_met = true;
  for (const Expectation& expect : plan.expect()) {
    ExpectationResult result = Judge(expect, *report);
    all_met &= result.met();
    *report->add_expectations() = std::move(result);
  }
  FL_CHECK(report->expectations_size() == plan.expect_size());
  report->set_expectations_met(all_met);
}

}  // namespace faultline
