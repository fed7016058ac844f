// Plan expectations judged against a Report (see expectations.h).
#include "framework/explore/expectations.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

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

ExpectationResult Judge(const Expectation& expect, const Report& report) {
  ExpectationResult result;
  const auto& by_check = report.violations_by_check();
  const uint64_t runs = report.iterations_run();
  switch (expect.kind_case()) {
    case Expectation::kViolation: {
      auto it = by_check.find(expect.violation());
      const uint64_t hits = it == by_check.end() ? 0 : it->second;
      result.set_expectation(absl::StrCat("violation: ", expect.violation()));
      result.set_met(hits > 0);
      result.set_detail(absl::StrCat("violated in ", hits, " of ", runs,
                                     " iterations"));
      break;
    }
    case Expectation::kNoViolation:
      result.set_expectation("no_violation");
      result.set_met(by_check.empty());
      result.set_detail(absl::StrCat(runs, " iterations; violations: ",
                                     CheckList(report)));
      break;
    case Expectation::kNoViolationOf: {
      auto it = by_check.find(expect.no_violation_of());
      const uint64_t hits = it == by_check.end() ? 0 : it->second;
      result.set_expectation(
          absl::StrCat("no_violation_of: ", expect.no_violation_of()));
      result.set_met(hits == 0);
      result.set_detail(absl::StrCat("violated in ", hits, " of ", runs,
                                     " iterations"));
      break;
    }
    case Expectation::kSearchComplete:
      result.set_expectation("search_complete");
      result.set_met(report.complete());
      result.set_detail(report.complete()
                            ? absl::StrCat("complete: ", runs, " schedules")
                            : absl::StrCat("not complete after ", runs,
                                           " schedules (stopped: ",
                                           report.stop_reason(), ")"));
      break;
    case Expectation::KIND_NOT_SET:
      result.set_expectation("(empty expectation)");
      result.set_met(false);
      result.set_detail("an expectation must say what to expect");
      break;
  }
  return result;
}

}  // namespace

void EvaluateExpectations(const Plan& plan, Report* report) {
  report->clear_expectations();
  bool all_met = true;
  for (const Expectation& expect : plan.expect()) {
    ExpectationResult result = Judge(expect, *report);
    all_met &= result.met();
    *report->add_expectations() = std::move(result);
  }
  report->set_expectations_met(all_met);
}

}  // namespace faultline
