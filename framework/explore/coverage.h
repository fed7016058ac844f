// -----------------------------------------------------------------------------
// File: coverage.h
// -----------------------------------------------------------------------------
//
// What an exploration exercised: for each fault point, how often it was
// reached, evaluated and fired by action kind; for each rule, how often it
// matched and fired; summed over this shard's iterations. The report lists
// the points a rule names or that were reached, and warns about rule points
// never reached and rules that never fired, because a plan whose faults
// never happen tests nothing.
//
// Internal to the explorer (explorer.h is the interface).

#ifndef FAULTLINE_FRAMEWORK_EXPLORE_COVERAGE_H_
#define FAULTLINE_FRAMEWORK_EXPLORE_COVERAGE_H_

#include <vector>

#include "framework/explore/report.pb.h"
#include "framework/rule_set.h"
#include "framework/runtime/iteration.h"

namespace faultline {
namespace explore_internal {

class Coverage {
 public:
  // Counts for the points and rules of `rules`, all zero.
  explicit Coverage(const RuleSet& rules);

  // Adds one iteration's counters.
  void Add(const IterationResult& result);

  // Fills report->points, rules, points_never_reached and
  // rules_never_fired. `rules` is the set this was constructed with.
  void Fill(const RuleSet& rules, Report* report) const;

 private:
  std::vector<PointCounters> points_;
  std::vector<RuleCounters> rules_;
};

}  // namespace explore_internal
}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_EXPLORE_COVERAGE_H_
