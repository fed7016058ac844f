// A parsed plan checked against this binary's registries (see
// plan_validator.h).
#include "framework/plan_validator.h"

#include <fnmatch.h>

#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "framework/check_registry.h"
#include "framework/plan_loader.h"
#include "framework/suggest.h"
#include "framework/swarm_check.h"

namespace faultline {
namespace plan_internal {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

struct ForbiddenChecks {
  int no_violation_at = -1;  // the last expect { no_violation: ... }, or -1
  absl::flat_hash_map<std::string, int> checks;  // no_violation_of -> index
};

PlanValidator::PlanValidator(const SiteRegistry& sites,
                             const ScenarioRegistry& scenarios,
                             const HookRegistry& hooks,
                             const CheckRegistry& checks,
                             absl::string_view filename,
                             const ParseInfoTree* tree)
    : sites_(sites),
      scenarios_(scenarios),
      checks_(checks),
      rules_(sites, hooks, filename),
      filename_(filename),
      tree_(tree) {}

absl::Status PlanValidator::Error(const PlanNode& node, absl::string_view field,
                                  absl::string_view message, int index) const {
  return FieldError(filename_, node, field, message, index);
}

absl::Status PlanValidator::Check(const Plan& plan) const {
  const PlanNode root{&plan, "", tree_, ParseLocation(-1, -1)};
  if (absl::Status s = CheckVersion(plan, root); !s.ok()) return s;
  if (absl::Status s = CheckScenario(plan, root); !s.ok()) return s;
  if (absl::Status s = CheckRules(plan, root); !s.ok()) return s;
  if (absl::Status s = CheckExploration(plan, root); !s.ok()) return s;
  if (absl::Status s = CheckSwarmSection(plan, root); !s.ok()) return s;
  return CheckExpectations(plan, root);
}

absl::Status PlanValidator::CheckSwarmSection(const Plan& plan,
                                              const PlanNode& root) const {
  const PlanNode swarm = Child(root, plan.swarm(), "swarm");
  return CheckSwarm(plan, sites_, [&](absl::string_view field) {
    return absl::StrCat(
        PositionPrefix(filename_, LocationOf(swarm, field, -1)),
        field.empty() ? swarm.path : JoinPath(swarm.path, field, -1), ": ");
  });
}

absl::Status PlanValidator::CheckVersion(const Plan& plan,
                                         const PlanNode& root) const {
  if (plan.version() == kPlanVersion) return absl::OkStatus();
  if (plan.version() == 0 && !Written(root, "version")) {
    return Error(root, "version",
                 absl::StrCat("missing; add `version: ", kPlanVersion,
                              "` (the version this loader supports)"));
  }
  return Error(root, "version",
               absl::StrCat("unsupported version ", plan.version(),
                            "; this loader supports version ", kPlanVersion));
}

absl::Status PlanValidator::CheckScenario(const Plan& plan,
                                          const PlanNode& root) const {
  const PlanNode node = Child(root, plan.scenario(), "scenario");
  std::vector<std::string> known;
  for (const ScenarioInfo* info : scenarios_.List())
    known.push_back(info->name);
  const Scenario& scenario = plan.scenario();
  if (scenario.name().empty()) {
    return Error(node, "name",
                 absl::StrCat("missing; name a registered scenario",
                              KnownNames(known, "scenarios")));
  }
  const ScenarioInfo* info = scenarios_.Find(scenario.name());
  if (info == nullptr) {
    return Error(node, "name",
                 absl::StrCat("unknown scenario \"", scenario.name(), "\"",
                              NameHint(scenario.name(), known, "scenarios")));
  }
  if (absl::Status s = CheckVariant(*info, scenario.variant(), node); !s.ok()) {
    return s;
  }
  return CheckParams(*info, node);
}

absl::Status PlanValidator::CheckVariant(const ScenarioInfo& info,
                                         const std::string& variant,
                                         const PlanNode& node) const {
  if (variant.empty()) return absl::OkStatus();
  if (info.variants.empty()) {
    return Error(node, "variant",
                 absl::StrCat("scenario \"", info.name,
                              "\" has no variants, got \"", variant, "\""));
  }
  bool known_variant = false;
  for (const std::string& v : info.variants) known_variant |= v == variant;
  if (known_variant) return absl::OkStatus();
  return Error(node, "variant",
               absl::StrCat("unknown variant \"", variant, "\" of scenario \"",
                            info.name, "\"",
                            NameHint(variant, info.variants, "variants")));
}

// Walks the params map through reflection, which keeps the text order of a
// parsed plan, so the first bad entry in the file is the one reported and
// its position is that entry's.
absl::Status PlanValidator::CheckParams(const ScenarioInfo& info,
                                        const PlanNode& node) const {
  const Message& scenario = *node.message;
  const Reflection* reflection = scenario.GetReflection();
  const FieldDescriptor* params = FieldOf(node, "params");
  const FieldDescriptor* key_field = params->message_type()->map_key();
  std::vector<std::string> declared;
  for (const ScenarioParam& param : info.params) declared.push_back(param.name);
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < reflection->FieldSize(scenario, params); ++i) {
    const Message& entry = reflection->GetRepeatedMessage(scenario, params, i);
    const std::string key = entry.GetReflection()->GetString(entry, key_field);
    const ParseLocation location = LocationOf(node, "params", i);
    const std::string where =
        absl::StrCat(PositionPrefix(filename_, location), node.path,
                     ".params[\"", key, "\"]: ");
    if (!seen.insert(key).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "parameter set twice"));
    }
    const ScenarioParam* param = nullptr;
    for (const ScenarioParam& p : info.params) {
      if (p.name == key) param = &p;
    }
    if (param == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "unknown parameter \"", key, "\" of scenario \"",
                       info.name, "\"", NameHint(key, declared, "parameters")));
    }
    const std::string value = entry.GetReflection()->GetString(
        entry, params->message_type()->map_value());
    if (std::string bad = CheckParamValue(*param, value); !bad.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(where, bad));
    }
  }
  return absl::OkStatus();
}

absl::Status PlanValidator::CheckRules(const Plan& plan,
                                       const PlanNode& root) const {
  absl::flat_hash_map<std::string, int> rule_names;
  for (int i = 0; i < plan.rules_size(); ++i) {
    const PlanNode node = Child(root, plan.rules(i), "rules", i);
    if (absl::Status s = rules_.Check(plan.rules(i), node); !s.ok()) return s;
    if (absl::Status s = CheckRuleTasks(plan, plan.rules(i), node); !s.ok()) {
      return s;
    }
    const Exploration::Strategy strategy = plan.exploration().strategy();
    if (plan.rules(i).branch() && strategy != Exploration::EXHAUSTIVE &&
        strategy != Exploration::DPOR) {
      return Error(node, "branch",
                   "only systematic search explores fault choices; set "
                   "exploration.strategy: DPOR or EXHAUSTIVE");
    }
    const std::string& name = plan.rules(i).name();
    if (name.empty()) continue;
    auto [it, inserted] = rule_names.emplace(name, i);
    if (!inserted) {
      return Error(
          node, "name",
          absl::StrCat("duplicate rule name \"", name, "\" (also rules[",
                       it->second, "].name); reports need unique names"));
    }
  }
  return absl::OkStatus();
}

// A task filter no task of the scenario can match would silently never
// fire. Rules compare names exactly, so the value itself must be a name;
// the scenario's declaration may be a pattern ("search*").
absl::Status PlanValidator::CheckRuleTasks(const Plan& plan, const Rule& rule,
                                           const PlanNode& node) const {
  if (rule.tasks_size() == 0) return absl::OkStatus();
  const ScenarioInfo* info = scenarios_.Find(plan.scenario().name());
  if (info == nullptr) return absl::OkStatus();  // CheckScenario reported it
  for (int i = 0; i < rule.tasks_size(); ++i) {
    const std::string& task = rule.tasks(i);
    if (task.find_first_of("*?[") != std::string::npos) {
      return Error(node, "tasks",
                   absl::StrCat("\"", task,
                                "\": rules match task names and roles "
                                "exactly; name one task or role"),
                   i);
    }
    bool known = false;
    for (const std::string& declared : info->tasks) {
      known |= fnmatch(declared.c_str(), task.c_str(), 0) == 0;
    }
    if (known) continue;
    if (info->tasks.empty()) {
      return Error(node, "tasks",
                   absl::StrCat("scenario \"", info->name,
                                "\" declares no task names or roles, so no "
                                "task can match \"",
                                task, "\""),
                   i);
    }
    return Error(node, "tasks",
                 absl::StrCat("no task or role \"", task, "\" in scenario \"",
                              info->name, "\"",
                              NameHint(task, info->tasks, "tasks and roles")),
                 i);
  }
  return absl::OkStatus();
}

absl::Status PlanValidator::CheckExploration(const Plan& plan,
                                             const PlanNode& root) const {
  const PlanNode node = Child(root, plan.exploration(), "exploration");
  const Exploration& exploration = plan.exploration();
  if (!Exploration::Backend_IsValid(exploration.backend())) {
    return Error(node, "backend",
                 absl::StrCat("unknown backend ", exploration.backend()));
  }
  if (!Exploration::Strategy_IsValid(exploration.strategy())) {
    return Error(node, "strategy",
                 absl::StrCat("unknown strategy ", exploration.strategy()));
  }
  if (exploration.time_budget_ms() < 0) {
    return Error(node, "time_budget_ms",
                 absl::StrCat("expected a value >= 0 (0 = no limit), got ",
                              exploration.time_budget_ms()));
  }
  if (exploration.iterations() > kMaxIterations) {
    return Error(node, "iterations",
                 absl::StrCat("expected a value in [0, ", kMaxIterations,
                              "] (0 = 1), got ", exploration.iterations()));
  }
  if (exploration.max_steps() > kMaxSteps) {
    return Error(
        node, "max_steps",
        absl::StrCat("expected a value in [0, ", kMaxSteps,
                     "] (0 = the default), got ", exploration.max_steps()));
  }
  if (exploration.iteration_timeout_ms() < 0 ||
      exploration.iteration_timeout_ms() > kMaxIterationTimeoutMs) {
    return Error(
        node, "iteration_timeout_ms",
        absl::StrCat("expected a value in [0, ", kMaxIterationTimeoutMs,
                     "] (0 = ", kDefaultIterationTimeoutMs, "), got ",
                     exploration.iteration_timeout_ms()));
  }
  if (exploration.preemption_bound() > kMaxPreemptionBound) {
    return Error(node, "preemption_bound",
                 absl::StrCat("expected a value in [0, ", kMaxPreemptionBound,
                              "], got ", exploration.preemption_bound()));
  }
  if (exploration.pct_depth() > kMaxPctDepth) {
    return Error(node, "pct_depth",
                 absl::StrCat("expected a value in [0, ", kMaxPctDepth,
                              "] (0 = 3), got ", exploration.pct_depth()));
  }
  return CheckStrategyFields(exploration, node);
}

// Fields that only one strategy or backend reads must not be set for
// another: the plan would silently not do what it says.
absl::Status PlanValidator::CheckStrategyFields(const Exploration& exploration,
                                                const PlanNode& node) const {
  const Exploration::Strategy strategy = exploration.strategy();
  const std::string strategy_name =
      strategy == Exploration::STRATEGY_UNSPECIFIED
          ? "RANDOM (the default)"
          : Exploration::Strategy_Name(strategy);
  const bool replay = strategy == Exploration::REPLAY;
  if (replay && exploration.replay_token().empty()) {
    return Error(node, "replay_token",
                 "missing; strategy REPLAY follows the replay token printed "
                 "in a failure report");
  }
  if (!replay && !exploration.replay_token().empty()) {
    return Error(node, "replay_token",
                 absl::StrCat("only strategy REPLAY follows a replay token, "
                              "but strategy is ",
                              strategy_name));
  }
  if (exploration.pct_depth() != 0 && strategy != Exploration::PCT) {
    return Error(node, "pct_depth",
                 absl::StrCat("only strategy PCT reads pct_depth, but "
                              "strategy is ",
                              strategy_name));
  }
  if (exploration.pct_steps() != Exploration::PCT_ALL_STEPS &&
      strategy != Exploration::PCT) {
    return Error(node, "pct_steps",
                 absl::StrCat("only strategy PCT reads pct_steps, but "
                              "strategy is ",
                              strategy_name));
  }
  if (absl::Status s = CheckExhaustiveFields(exploration, strategy_name, node);
      !s.ok()) {
    return s;
  }
  const bool random = strategy == Exploration::STRATEGY_UNSPECIFIED ||
                      strategy == Exploration::RANDOM;
  if (exploration.backend() == Exploration::THREADS && !random) {
    return Error(node, "backend",
                 absl::StrCat("backend THREADS only runs strategy RANDOM; ",
                              strategy_name,
                              " must control every step, which needs "
                              "backend FIBERS"));
  }
  return absl::OkStatus();
}

absl::Status PlanValidator::CheckExhaustiveFields(
    const Exploration& exploration, absl::string_view strategy_name,
    const PlanNode& node) const {
  if (exploration.strategy() == Exploration::EXHAUSTIVE) {
    if (exploration.state_caching() && exploration.preemption_bound() != 0) {
      return Error(node, "preemption_bound",
                   "state_caching searches every schedule; a state reached "
                   "with fewer preemptions left would hide schedules, so it "
                   "takes no preemption_bound");
    }
    if (exploration.state_caching() && exploration.iterative_bounding()) {
      return Error(node, "iterative_bounding",
                   "state_caching searches every schedule at once; it does "
                   "not run by preemption bound");
    }
    return absl::OkStatus();
  }
  if (exploration.state_caching()) {
    return Error(node, "state_caching",
                 absl::StrCat("only strategy EXHAUSTIVE caches states, but "
                              "strategy is ",
                              strategy_name));
  }
  if (exploration.iterative_bounding() &&
      exploration.strategy() != Exploration::DPOR) {
    return Error(node, "iterative_bounding",
                 absl::StrCat("only strategies EXHAUSTIVE and DPOR search by "
                              "preemption bound, but strategy is ",
                              strategy_name));
  }
  if (exploration.preemption_bound() != 0 &&
      exploration.strategy() != Exploration::DPOR) {
    return Error(node, "preemption_bound",
                 absl::StrCat("only strategies EXHAUSTIVE and DPOR read "
                              "preemption_bound, but strategy is ",
                              strategy_name));
  }
  if (exploration.disable_reduction()) {
    return Error(node, "disable_reduction",
                 absl::StrCat("only strategy EXHAUSTIVE reads "
                              "disable_reduction, but strategy is ",
                              strategy_name));
  }
  return absl::OkStatus();
}

absl::Status PlanValidator::CheckExpectations(const Plan& plan,
                                              const PlanNode& root) const {
  if (plan.expect_size() == 0) {
    return Error(root, "expect",
                 "missing; add at least one, e.g. `expect { no_violation: "
                 "true }` or `expect { violation: \"<check>\" }`");
  }
  ForbiddenChecks forbidden;
  for (int i = 0; i < plan.expect_size(); ++i) {
    const Expectation& expect = plan.expect(i);
    if (expect.kind_case() == Expectation::kNoViolation) {
      forbidden.no_violation_at = i;
    }
    if (expect.kind_case() == Expectation::kNoViolationOf) {
      forbidden.checks.emplace(expect.no_violation_of(), i);
    }
  }
  for (int i = 0; i < plan.expect_size(); ++i) {
    const Expectation& expect = plan.expect(i);
    const PlanNode node = Child(root, expect, "expect", i);
    if (absl::Status s = CheckExpectation(plan, expect, forbidden, node);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status PlanValidator::CheckExpectation(const Plan& plan,
                                             const Expectation& expect,
                                             const ForbiddenChecks& forbidden,
                                             const PlanNode& node) const {
  constexpr absl::string_view kFalseExpectsNothing =
      "expected true (false expects nothing; leave the expectation out)";
  switch (expect.kind_case()) {
    case Expectation::KIND_NOT_SET:
      return Error(node, "",
                   "empty expectation; set one of violation, "
                   "no_violation, no_violation_of, search_complete");
    case Expectation::kNoViolation:
      if (expect.no_violation()) break;
      return Error(node, "no_violation", kFalseExpectsNothing);
    case Expectation::kNoViolationOf:
      if (expect.no_violation_of().empty()) {
        return Error(node, "no_violation_of",
                     "empty check name; name the check that must hold");
      }
      return CheckName(plan, expect.no_violation_of(), node, "no_violation_of");
    case Expectation::kSearchComplete:
      if (!expect.search_complete()) {
        return Error(node, "search_complete", kFalseExpectsNothing);
      }
      if (plan.exploration().strategy() != Exploration::EXHAUSTIVE &&
          plan.exploration().strategy() != Exploration::DPOR) {
        return Error(node, "search_complete",
                     "only systematic search can complete; set "
                     "exploration.strategy: EXHAUSTIVE or DPOR");
      }
      break;
    case Expectation::kViolation:
      if (absl::Status s =
              CheckExpectedViolation(expect.violation(), forbidden, node);
          !s.ok()) {
        return s;
      }
      return CheckName(plan, expect.violation(), node, "violation");
  }
  return absl::OkStatus();
}

// A misspelt check name would make `no_violation_of` pass vacuously and
// `violation` run the whole budget for nothing.
absl::Status PlanValidator::CheckName(const Plan& plan,
                                      const std::string& check,
                                      const PlanNode& node,
                                      absl::string_view field) const {
  if (checks_.Contains(check)) return absl::OkStatus();
  std::vector<std::string> known = checks_.Names();
  const ScenarioInfo* info = scenarios_.Find(plan.scenario().name());
  if (info != nullptr) {
    for (const std::string& name : info->checks) {
      if (name == check) return absl::OkStatus();
      known.push_back(name);
    }
  }
  return Error(node, field,
               absl::StrCat("unknown check \"", check,
                            "\"; no FL_BUG_ON / FL_WARN_ON in this binary, "
                            "runtime check or check of the scenario has "
                            "that name",
                            NameHint(check, known, "checks")));
}

absl::Status PlanValidator::CheckExpectedViolation(
    const std::string& check, const ForbiddenChecks& forbidden,
    const PlanNode& node) const {
  if (check.empty()) {
    return Error(node, "violation",
                 "empty check name; name the check that must be violated");
  }
  if (forbidden.no_violation_at >= 0) {
    return Error(node, "violation",
                 absl::StrCat("contradicts expect[", forbidden.no_violation_at,
                              "].no_violation, which forbids every "
                              "violation"));
  }
  auto it = forbidden.checks.find(check);
  if (it != forbidden.checks.end()) {
    return Error(node, "violation",
                 absl::StrCat("contradicts expect[", it->second,
                              "].no_violation_of \"", check, "\""));
  }
  return absl::OkStatus();
}

}  // namespace plan_internal
}  // namespace faultline
