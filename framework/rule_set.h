// -----------------------------------------------------------------------------
// File: rule_set.h
// -----------------------------------------------------------------------------
//
// The rules of one plan, compiled against this binary's SiteRegistry and
// HookRegistry and indexed by point, so a hit finds its rules with one array
// lookup. Compile() assumes nothing about the plan: names that do not resolve
// come back as InvalidArgument (the plan loader reports them earlier, with
// file positions and suggestions).
//
// A RuleSet is immutable and shared by every RunContext of an exploration.

#ifndef FAULTLINE_FRAMEWORK_RULE_SET_H_
#define FAULTLINE_FRAMEWORK_RULE_SET_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "framework/plan.pb.h"
#include "framework/rule.h"
#include "framework/site_registry.h"

namespace faultline {

class RuleSet {
 public:
  static absl::StatusOr<std::shared_ptr<const RuleSet>> Compile(
      const Plan& plan, const SiteRegistry& sites = SiteRegistry::Get());

  // An empty rule set: sites are counted but nothing fires.
  static std::shared_ptr<const RuleSet> Empty(
      const SiteRegistry& sites = SiteRegistry::Get());

  const std::vector<CompiledRule>& rules() const { return rules_; }
  const CompiledRule& rule(int32_t i) const { return rules_[i]; }
  // Indices into rules() of the rules at `point`, in plan order.
  const std::vector<int32_t>& at(int32_t point) const {
    return by_point_[point];
  }
  int point_count() const { return static_cast<int>(by_point_.size()); }
  const SiteRegistry& sites() const { return *sites_; }

 private:
  explicit RuleSet(const SiteRegistry& sites);

  const SiteRegistry* sites_;
  std::vector<CompiledRule> rules_;
  std::vector<std::vector<int32_t>> by_point_;
};

// Converts one proto rule; `ordinal` is its position in the plan.
absl::StatusOr<CompiledRule> CompileRule(const Rule& proto, int32_t ordinal,
                                         const SiteRegistry& sites);

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RULE_SET_H_
