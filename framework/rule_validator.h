// -----------------------------------------------------------------------------
// File: rule_validator.h
// -----------------------------------------------------------------------------
//
// Validation of one fault rule (plan.proto's Rule) against this binary's
// fault point sites and hooks: its point exists and has a site of the kind
// its action needs (FL_FAULT_FAIL for `fail`, FL_FAULT_ERROR for `error`),
// its trigger names a registered hook, its wait_for names another point and
// is bounded, and its numbers are in range. Errors point at the field
// (plan_position.h) with a did-you-mean for names (suggest.h).
//
// Internal to plan loading (plan_loader.h is the interface); the plan as a
// whole is validated by plan_validator.h, which calls this for each rule.
//
// Thread-safety: a RuleValidator is immutable; Check may be called
// concurrently.

#ifndef FAULTLINE_FRAMEWORK_RULE_VALIDATOR_H_
#define FAULTLINE_FRAMEWORK_RULE_VALIDATOR_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "framework/hooks.h"
#include "framework/plan.pb.h"
#include "framework/plan_position.h"
#include "framework/site_registry.h"

namespace faultline {
namespace plan_internal {

class RuleValidator {
 public:
  // `filename` labels errors ("" for plans built in code). The registries
  // must outlive the validator.
  RuleValidator(const SiteRegistry& sites, const HookRegistry& hooks,
                absl::string_view filename);

  // Checks `rule`, which sits at `node` (rules[i]); the first error found.
  absl::Status Check(const Rule& rule, const PlanNode& node) const;

 private:
  absl::Status Error(const PlanNode& node, absl::string_view field,
                     absl::string_view message, int index = -1) const;

  absl::Status CheckConditions(const Rule& rule, const PlanNode& node) const;
  absl::Status CheckSkip(const Rule& rule, const PlanNode& node) const;
  absl::Status CheckAction(const Rule& rule, const PointInfo& point,
                           const PlanNode& node) const;
  absl::Status CheckError(const Rule& rule, const PointInfo& point,
                          const PlanNode& node) const;
  absl::Status CheckDelay(const Rule& rule, const PlanNode& node) const;
  absl::Status CheckTrigger(const Rule& rule, const PlanNode& node) const;
  absl::Status CheckWaitFor(const Rule& rule, const PlanNode& node) const;
  absl::Status CheckTimeout(const WaitFor& wait, const PlanNode& node) const;

  std::vector<std::string> PointNames() const;

  const SiteRegistry& sites_;
  const HookRegistry& hooks_;
  const std::string filename_;
};

}  // namespace plan_internal
}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RULE_VALIDATOR_H_
