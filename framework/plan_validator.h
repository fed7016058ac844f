// -----------------------------------------------------------------------------
// File: plan_validator.h
// -----------------------------------------------------------------------------
//
// The semantic half of plan loading: a parsed Plan checked against this
// binary's registries. Its version is the one this loader reads; its
// scenario, variant and parameters are registered (scenario.h); each rule is
// valid (rule_validator.h), named once and filters on tasks the scenario
// declares; exploration fields are in range
// and read by the chosen strategy and backend; expectations are set, name
// known checks (check_registry.h) and do not contradict each other.
//
// Validation walks the plan once, in text order, and stops at the first
// error: one precise message is more useful than a cascade of consequences.
// Errors point at the field (plan_position.h); positions come from the
// ParseInfoTree recorded while parsing (plan_parser.h), and a plan built in
// code has none.
//
// Internal to plan loading (plan_loader.h is the interface).
//
// Thread-safety: a PlanValidator is immutable; Check may be called
// concurrently.

#ifndef FAULTLINE_FRAMEWORK_PLAN_VALIDATOR_H_
#define FAULTLINE_FRAMEWORK_PLAN_VALIDATOR_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "framework/check_registry.h"
#include "framework/hooks.h"
#include "framework/plan.pb.h"
#include "framework/plan_position.h"
#include "framework/rule_validator.h"
#include "framework/scenario.h"
#include "framework/site_registry.h"

namespace faultline {
namespace plan_internal {

// What the plan's expectations forbid: an expected violation must not be
// one of these.
struct ForbiddenChecks;

class PlanValidator {
 public:
  // `filename` and `tree` are ""/null for plans built in code. The
  // registries and `tree` must outlive the validator.
  PlanValidator(const SiteRegistry& sites, const ScenarioRegistry& scenarios,
                const HookRegistry& hooks, const CheckRegistry& checks,
                absl::string_view filename, const ParseInfoTree* tree);

  // The first error in `plan`, in text order, or OK.
  absl::Status Check(const Plan& plan) const;

 private:
  absl::Status Error(const PlanNode& node, absl::string_view field,
                     absl::string_view message, int index = -1) const;

  absl::Status CheckVersion(const Plan& plan, const PlanNode& root) const;
  absl::Status CheckScenario(const Plan& plan, const PlanNode& root) const;
  absl::Status CheckVariant(const ScenarioInfo& info,
                            const std::string& variant,
                            const PlanNode& scenario) const;
  absl::Status CheckParams(const ScenarioInfo& info,
                           const PlanNode& scenario) const;
  absl::Status CheckRules(const Plan& plan, const PlanNode& root) const;
  absl::Status CheckRuleTasks(const Plan& plan, const Rule& rule,
                              const PlanNode& node) const;
  absl::Status CheckExploration(const Plan& plan, const PlanNode& root) const;
  absl::Status CheckSwarmSection(const Plan& plan, const PlanNode& root) const;
  absl::Status CheckStrategyFields(const Exploration& exploration,
                                   const PlanNode& node) const;
  absl::Status CheckExhaustiveFields(const Exploration& exploration,
                                     absl::string_view strategy_name,
                                     const PlanNode& node) const;
  absl::Status CheckExpectations(const Plan& plan, const PlanNode& root) const;
  absl::Status CheckExpectation(const Plan& plan, const Expectation& expect,
                                const ForbiddenChecks& forbidden,
                                const PlanNode& node) const;
  absl::Status CheckExpectedViolation(const std::string& check,
                                      const ForbiddenChecks& forbidden,
                                      const PlanNode& node) const;
  absl::Status CheckName(const Plan& plan, const std::string& check,
                         const PlanNode& node, absl::string_view field) const;

  const SiteRegistry& sites_;
  const ScenarioRegistry& scenarios_;
  const CheckRegistry& checks_;
  const RuleValidator rules_;
  const std::string filename_;
  const ParseInfoTree* const tree_;
};

}  // namespace plan_internal
}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_PLAN_VALIDATOR_H_
