// One fault rule checked against sites and hooks (see rule_validator.h).
#include "framework/rule_validator.h"

#include <cstdint>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "framework/plan_loader.h"
#include "framework/suggest.h"

namespace faultline {
namespace plan_internal {
namespace {

// "; its sites: FL_FAULT_POINT at a.cc:12, ..." for kind mismatches.
std::string DescribeSites(const PointInfo& point) {
  std::vector<std::string> sites;
  for (const SiteDescriptor* site : point.sites) {
    const char* macro = site->kind == SiteKind::kFail    ? "FL_FAULT_FAIL"
                        : site->kind == SiteKind::kError ? "FL_FAULT_ERROR"
                                                         : "FL_FAULT_POINT";
    sites.push_back(absl::StrCat(macro, " at ", site->file, ":", site->line));
  }
  return absl::StrCat("; its sites: ", absl::StrJoin(sites, ", "));
}

}  // namespace

RuleValidator::RuleValidator(const SiteRegistry& sites,
                             const HookRegistry& hooks,
                             absl::string_view filename)
    : sites_(sites), hooks_(hooks), filename_(filename) {}

absl::Status RuleValidator::Error(const PlanNode& node, absl::string_view field,
                                  absl::string_view message, int index) const {
  return FieldError(filename_, node, field, message, index);
}

std::vector<std::string> RuleValidator::PointNames() const {
  std::vector<std::string> names;
  for (const PointInfo& point : sites_.points()) names.push_back(point.name);
  return names;
}

absl::Status RuleValidator::Check(const Rule& rule,
                                  const PlanNode& node) const {
  if (rule.point().empty()) {
    return Error(node, "point", "missing; name the fault point to arm");
  }
  const int32_t index = sites_.Find(rule.point());
  if (index < 0) {
    return Error(node, "point",
                 absl::StrCat("unknown fault point \"", rule.point(), "\"",
                              NameHint(rule.point(), PointNames(), "points")));
  }
  if (absl::Status s = CheckConditions(rule, node); !s.ok()) return s;
  return CheckAction(rule, sites_.point(index), node);
}

absl::Status RuleValidator::CheckConditions(const Rule& rule,
                                            const PlanNode& node) const {
  if (rule.has_probability()) {
    const double p = rule.probability();
    if (!(p >= 0.0 && p <= 1.0)) {  // written so NaN fails too
      return Error(node, "probability",
                   absl::StrCat("expected a value in [0, 1], got ", p));
    }
  }
  if (rule.nth() == 0 && Written(node, "nth")) {
    return Error(node, "nth",
                 "expected a value >= 1 (nth is 1-based; leave it out to "
                 "match every hit), got 0");
  }
  if (absl::Status s = CheckSkip(rule, node); !s.ok()) return s;
  if (rule.branch()) {
    if (rule.action_case() != Rule::kFail &&
        rule.action_case() != Rule::kError) {
      return Error(node, "branch",
                   "only fail and error rules can branch (a fault choice "
                   "decides whether the site fails)");
    }
    if (rule.max_fires() == 0) {
      return Error(node, "branch",
                   "needs max_fires >= 1: it bounds how many of the matching "
                   "hits the search lets fire in one run");
    }
    for (const char* field : {"probability", "nth", "skip"}) {
      if (Written(node, field)) {
        return Error(node, field,
                     "a branching rule fires where the search chooses; leave "
                     "probability, nth and skip out");
      }
    }
  }
  for (int i = 0; i < rule.tasks_size(); ++i) {
    if (rule.tasks(i).empty()) {
      return Error(node, "tasks", "empty task name; name a task or a role", i);
    }
  }
  return absl::OkStatus();
}

// Both are legal to the evaluator, but `skip: 2 nth: 3` reads as "the
// third hit" to many people; one spelling avoids the ambiguity.
absl::Status RuleValidator::CheckSkip(const Rule& rule,
                                      const PlanNode& node) const {
  if (rule.nth() == 0 || rule.skip() == 0) return absl::OkStatus();
  const uint64_t nth = rule.nth();
  const uint64_t skip = rule.skip();
  if (skip > std::numeric_limits<uint64_t>::max() - nth) {
    return Error(node, "skip", "skip + nth overflows a 64-bit counter");
  }
  return Error(
      node, "skip",
      absl::StrCat("redundant with nth: nth counts the matching "
                   "hits after skip, so this rule fires only on "
                   "matching hit ",
                   skip + nth, "; write `nth: ", skip + nth, "` alone"));
}

absl::Status RuleValidator::CheckAction(const Rule& rule,
                                        const PointInfo& point,
                                        const PlanNode& node) const {
  switch (rule.action_case()) {
    case Rule::kFail:
      if (point.has_fail_site) return absl::OkStatus();
      return Error(node, "fail",
                   absl::StrCat("point \"", point.name,
                                "\" has no FL_FAULT_FAIL site, so it cannot "
                                "fail",
                                DescribeSites(point)));
    case Rule::kError:
      return CheckError(rule, point, node);
    case Rule::kDelay:
      return CheckDelay(rule, node);
    case Rule::kYield:
      return absl::OkStatus();
    case Rule::kTrigger:
      return CheckTrigger(rule, node);
    case Rule::kWaitFor:
      return CheckWaitFor(rule, node);
    case Rule::ACTION_NOT_SET:
      break;
  }
  return Error(node, "",
               "no action; set exactly one of fail, error, delay, yield, "
               "trigger, wait_for");
}

absl::Status RuleValidator::CheckError(const Rule& rule, const PointInfo& point,
                                       const PlanNode& node) const {
  if (!point.has_error_site) {
    return Error(node, "error",
                 absl::StrCat("point \"", point.name,
                              "\" has no FL_FAULT_ERROR site, so it "
                              "cannot return an error",
                              DescribeSites(point)));
  }
  if (rule.error() == 0) {
    return Error(node, "error",
                 "expected a nonzero errno-style value (0 means no "
                 "error), got 0");
  }
  // Sites return the value as an int; anything wider would be truncated.
  if (rule.error() < std::numeric_limits<int32_t>::min() ||
      rule.error() > std::numeric_limits<int32_t>::max()) {
    return Error(node, "error",
                 absl::StrCat("expected a value in [",
                              std::numeric_limits<int32_t>::min(), ", ",
                              std::numeric_limits<int32_t>::max(),
                              "] (an errno-style int), got ", rule.error()));
  }
  return absl::OkStatus();
}

absl::Status RuleValidator::CheckDelay(const Rule& rule,
                                       const PlanNode& parent) const {
  const PlanNode node = Child(parent, rule.delay(), "delay");
  const Delay& delay = rule.delay();
  if (delay.ns() < 0 || delay.ns() > kMaxDurationNs) {
    return Error(node, "ns",
                 absl::StrCat("expected a value in [0, ", kMaxDurationNs,
                              "] (at most one hour), got ", delay.ns()));
  }
  const bool has_max = delay.max_ns() != 0 || Written(node, "max_ns");
  if (has_max && delay.max_ns() < delay.ns()) {
    return Error(node, "max_ns",
                 absl::StrCat("expected a value >= ns (", delay.ns(), "), got ",
                              delay.max_ns()));
  }
  if (delay.max_ns() > kMaxDurationNs) {
    return Error(node, "max_ns",
                 absl::StrCat("expected a value <= ", kMaxDurationNs,
                              " (one hour), got ", delay.max_ns()));
  }
  return absl::OkStatus();
}

absl::Status RuleValidator::CheckTrigger(const Rule& rule,
                                         const PlanNode& parent) const {
  const PlanNode node = Child(parent, rule.trigger(), "trigger");
  const std::string& hook = rule.trigger().hook();
  if (hook.empty()) {
    return Error(node, "hook",
                 "missing; name a hook registered with FL_REGISTER_HOOK");
  }
  if (hooks_.Find(hook) >= 0) return absl::OkStatus();
  std::vector<std::string> known;
  for (const HookInfo& info : hooks_.hooks()) known.push_back(info.name);
  return Error(node, "hook",
               absl::StrCat("unknown hook \"", hook, "\"",
                            NameHint(hook, known, "hooks")));
}

absl::Status RuleValidator::CheckWaitFor(const Rule& rule,
                                         const PlanNode& parent) const {
  const PlanNode node = Child(parent, rule.wait_for(), "wait_for");
  const WaitFor& wait = rule.wait_for();
  if (wait.point().empty()) {
    return Error(node, "point", "missing; name the point to wait for");
  }
  if (sites_.Find(wait.point()) < 0) {
    return Error(node, "point",
                 absl::StrCat("unknown fault point \"", wait.point(), "\"",
                              NameHint(wait.point(), PointNames(), "points")));
  }
  if (wait.point() == rule.point()) {
    return Error(node, "point",
                 absl::StrCat("\"", wait.point(),
                              "\" waits for itself; an ordering edge needs "
                              "another point"));
  }
  return CheckTimeout(wait, node);
}

absl::Status RuleValidator::CheckTimeout(const WaitFor& wait,
                                         const PlanNode& node) const {
  if (wait.timeout_ns() > kMaxDurationNs) {
    return Error(node, "timeout_ns",
                 absl::StrCat("expected a value in [1, ", kMaxDurationNs,
                              "] (at most one hour), got ", wait.timeout_ns()));
  }
  if (wait.timeout_ns() > 0) return absl::OkStatus();
  if (wait.timeout_ns() == 0 && !Written(node, "timeout_ns")) {
    return Error(node, "timeout_ns",
                 "missing; every wait needs a timeout > 0 so a plan "
                 "cannot hang");
  }
  return Error(node, "timeout_ns",
               absl::StrCat("expected a value > 0 (every wait is bounded), "
                            "got ",
                            wait.timeout_ns()));
}

}  // namespace plan_internal
}  // namespace faultline
