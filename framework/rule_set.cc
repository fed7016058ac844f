// Compiles plan rules against the registries (see rule_set.h).
#include "framework/rule_set.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "framework/hooks.h"
#include "framework/swarm.h"

namespace faultline {

RuleSet::RuleSet(const SiteRegistry& sites)
    : sites_(&sites), by_point_(sites.size()) {}

std::shared_ptr<const RuleSet> RuleSet::Empty(const SiteRegistry& sites) {
  return std::shared_ptr<const RuleSet>(new RuleSet(sites));
}

namespace {

absl::Status CompileAction(const Rule& proto, const SiteRegistry& sites,
                           CompiledRule& rule) {
  const PointInfo& point = sites.point(rule.point);
  switch (proto.action_case()) {
    case Rule::kFail:
      if (!point.has_fail_site) {
        return absl::InvalidArgumentError(absl::StrCat(
            "point \"", point.name, "\" has no FL_FAULT_FAIL site"));
      }
      rule.action = ActionKind::kFail;
      return absl::OkStatus();
    case Rule::kError:
      if (!point.has_error_site) {
        return absl::InvalidArgumentError(absl::StrCat(
            "point \"", point.name, "\" has no FL_FAULT_ERROR site"));
      }
      rule.action = ActionKind::kError;
      rule.error = proto.error();
      return absl::OkStatus();
    case Rule::kDelay:
      rule.action = ActionKind::kDelay;
      rule.delay_ns = proto.delay().ns();
      rule.delay_ns_max = proto.delay().max_ns();
      return absl::OkStatus();
    case Rule::kYield:
      rule.action = ActionKind::kYield;
      return absl::OkStatus();
    case Rule::kTrigger:
      rule.action = ActionKind::kTrigger;
      rule.hook = proto.trigger().hook();
      rule.hook_arg = proto.trigger().arg();
      rule.hook_index = HookRegistry::Global().Find(rule.hook);
      if (rule.hook_index < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("unknown hook \"", rule.hook, "\""));
      }
      return absl::OkStatus();
    case Rule::kWaitFor:
      rule.action = ActionKind::kWaitFor;
      rule.wait_point = sites.Find(proto.wait_for().point());
      rule.wait_timeout_ns = proto.wait_for().timeout_ns();
      if (rule.wait_point < 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "unknown point \"", proto.wait_for().point(), "\" in wait_for"));
      }
      return absl::OkStatus();
    case Rule::ACTION_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("rule has no action");
}

}  // namespace

absl::StatusOr<CompiledRule> CompileRule(const Rule& proto, int32_t ordinal,
                                         const SiteRegistry& sites) {
  CompiledRule rule;
  rule.ordinal = ordinal;
  rule.point = sites.Find(proto.point());
  if (rule.point < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown point \"", proto.point(), "\""));
  }
  rule.name = proto.name().empty() ? absl::StrCat(proto.point(), "#", ordinal)
                                   : proto.name();
  rule.probability = proto.has_probability() ? proto.probability() : 1.0;
  rule.nth = proto.nth();
  rule.skip = proto.skip();
  rule.max_fires = proto.max_fires();
  rule.branch = proto.branch();
  rule.tasks.assign(proto.tasks().begin(), proto.tasks().end());
  rule.keys.assign(proto.keys().begin(), proto.keys().end());
  absl::Status status = CompileAction(proto, sites, rule);
  if (!status.ok()) return status;
  return rule;
}

absl::StatusOr<std::shared_ptr<const RuleSet>> RuleSet::Compile(
    const Plan& plan, const SiteRegistry& sites) {
  std::shared_ptr<RuleSet> set(new RuleSet(sites));
  for (int i = 0; i < plan.rules_size(); ++i) {
    absl::StatusOr<CompiledRule> rule = CompileRule(plan.rules(i), i, sites);
    if (!rule.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("rules[", i, "]: ", rule.status().message()));
    }
    set->by_point_[rule->point].push_back(i);
    set->rules_.push_back(*std::move(rule));
  }
  for (CompiledRule& rule : CompileSwarmRules(plan, sites, plan.rules_size())) {
    set->by_point_[rule.point].push_back(rule.ordinal);
    set->rules_.push_back(std::move(rule));
  }
  return std::shared_ptr<const RuleSet>(std::move(set));
}

}  // namespace faultline
