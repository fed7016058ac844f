// Plan parsing (protobuf TextFormat with positions) and validation against
// this binary's registries (see plan_loader.h).
//
// Validation walks the plan once, in text order, and stops at the first
// error: one precise message is more useful than a cascade of consequences.
// Positions come from a TextFormat::ParseInfoTree recorded while parsing; a
// plan built in code has no tree and its errors carry only the field path.
#include "framework/plan_loader.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "framework/check.h"
#include "framework/suggest.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace faultline {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using google::protobuf::TextFormat;
using ParseInfoTree = TextFormat::ParseInfoTree;
using ParseLocation = TextFormat::ParseLocation;

// At most this many names are listed when no suggestion is close.
constexpr int kMaxListedNames = 8;

// "file:line:col: " (1-based), "file: " without a position, or "".
std::string Prefix(absl::string_view filename, ParseLocation location) {
  if (filename.empty()) return "";
  if (location.line < 0) return absl::StrCat(filename, ": ");
  return absl::StrCat(filename, ":", location.line + 1, ":",
                      location.column + 1, ": ");
}

// `"a", "b", "c"`, or `"a", ... (12 in all)` when long.
std::string QuotedList(const std::vector<std::string>& names) {
  std::vector<std::string> shown;
  for (const std::string& name : names) {
    if (static_cast<int>(shown.size()) == kMaxListedNames) break;
    shown.push_back(absl::StrCat("\"", name, "\""));
  }
  std::string out = absl::StrJoin(shown, ", ");
  if (names.size() > shown.size()) {
    absl::StrAppend(&out, ", ... (", names.size(), " in all)");
  }
  return out;
}

// "; known <what>: ..." so a missing name can be filled in.
std::string KnownList(const std::vector<std::string>& known,
                      absl::string_view what) {
  if (known.empty()) return absl::StrCat("; this binary registers no ", what);
  return absl::StrCat("; known ", what, ": ", QuotedList(known));
}

// Did-you-mean for `word` among `known`, else the list of what is known.
std::string Hint(absl::string_view word, const std::vector<std::string>& known,
                 absl::string_view what) {
  ClosestMatch match(word);
  for (const std::string& name : known) match.Consider(name);
  if (match.found()) return match.DidYouMean();
  return KnownList(known, what);
}

// Where one message of the plan sits: the field path used in messages, its
// parse tree (null for plans built in code) and the position it was named at.
struct Node {
  const Message* message;
  std::string path;
  const ParseInfoTree* tree;
  ParseLocation location;
};

const FieldDescriptor* FieldOf(const Node& node, absl::string_view name) {
  FL_CHECK(node.message != nullptr);
  const FieldDescriptor* field =
      node.message->GetDescriptor()->FindFieldByName(std::string(name));
  FL_CHECK(field != nullptr);  // a typo in this file, not in the plan
  return field;
}

std::string JoinPath(absl::string_view parent, absl::string_view field,
                     int index) {
  std::string path = parent.empty() ? std::string(field)
                                    : absl::StrCat(parent, ".", field);
  if (index >= 0) absl::StrAppend(&path, "[", index, "]");
  return path;
}

// The position of `field` (element `index` if repeated) as written, or the
// node's own position if the field was not written.
// A repeated field without an index (an empty list) has no position of its
// own.
ParseLocation LocationOf(const Node& node, absl::string_view field, int index) {
  if (node.tree == nullptr || field.empty()) return node.location;
  const FieldDescriptor* descriptor = FieldOf(node, field);
  if (descriptor->is_repeated() != (index >= 0)) return node.location;
  const ParseLocation location = node.tree->GetLocation(descriptor, index);
  return location.line >= 0 ? location : node.location;
}

// True if the plan text spells out `field`, even with its default value:
// `nth: 0` is a mistake, a missing nth is not.
bool Written(const Node& node, absl::string_view field) {
  return node.tree != nullptr &&
         node.tree->GetLocation(FieldOf(node, field), -1).line >= 0;
}

Node Child(const Node& parent, const Message& child, absl::string_view field,
           int index = -1) {
  const FieldDescriptor* descriptor = FieldOf(parent, field);
  FL_CHECK(descriptor->is_repeated() == (index >= 0));
  Node node{&child, JoinPath(parent.path, field, index), nullptr,
            LocationOf(parent, field, index)};
  if (parent.tree != nullptr) {
    node.tree = parent.tree->GetTreeForNested(descriptor, index);
  }
  return node;
}

// Validates one plan. `filename` and `tree` are empty/null for plans built
// in code.
class PlanChecker {
 public:
  PlanChecker(const SiteRegistry& sites, const ScenarioRegistry& scenarios,
              const HookRegistry& hooks, absl::string_view filename,
              const ParseInfoTree* tree)
      : sites_(sites),
        scenarios_(scenarios),
        hooks_(hooks),
        filename_(filename),
        tree_(tree) {}

  absl::Status Check(const Plan& plan);

 private:
  // An error at `field` of `node` (element `index` if repeated); an empty
  // `field` means the node itself.
  absl::Status Error(const Node& node, absl::string_view field,
                     absl::string_view message, int index = -1) const {
    const std::string path =
        field.empty() ? node.path : JoinPath(node.path, field, index);
    return absl::InvalidArgumentError(
        absl::StrCat(Prefix(filename_, LocationOf(node, field, index)), path,
                     path.empty() ? "" : ": ", message));
  }

  absl::Status CheckVersion(const Plan& plan, const Node& root) const;
  absl::Status CheckScenario(const Plan& plan, const Node& root) const;
  absl::Status CheckParams(const ScenarioInfo& info, const Node& scenario) const;
  absl::Status CheckRule(const Rule& rule, const Node& node) const;
  absl::Status CheckConditions(const Rule& rule, const Node& node) const;
  absl::Status CheckAction(const Rule& rule, const PointInfo& point,
                           const Node& node) const;
  absl::Status CheckDelay(const Rule& rule, const Node& node) const;
  absl::Status CheckTrigger(const Rule& rule, const Node& node) const;
  absl::Status CheckWaitFor(const Rule& rule, const Node& node) const;
  absl::Status CheckExploration(const Plan& plan, const Node& root) const;
  absl::Status CheckStrategyFields(const Exploration& exploration,
                                   const Node& node) const;
  absl::Status CheckExpectations(const Plan& plan, const Node& root) const;

  std::vector<std::string> PointNames() const;

  const SiteRegistry& sites_;
  const ScenarioRegistry& scenarios_;
  const HookRegistry& hooks_;
  const std::string filename_;
  const ParseInfoTree* const tree_;
};

absl::Status PlanChecker::Check(const Plan& plan) {
  const Node root{&plan, "", tree_, ParseLocation(-1, -1)};
  if (absl::Status s = CheckVersion(plan, root); !s.ok()) return s;
  if (absl::Status s = CheckScenario(plan, root); !s.ok()) return s;
  absl::flat_hash_map<std::string, int> rule_names;
  for (int i = 0; i < plan.rules_size(); ++i) {
    const Node node = Child(root, plan.rules(i), "rules", i);
    if (absl::Status s = CheckRule(plan.rules(i), node); !s.ok()) return s;
    const std::string& name = plan.rules(i).name();
    if (name.empty()) continue;
    auto [it, inserted] = rule_names.emplace(name, i);
    if (!inserted) {
      return Error(node, "name",
                   absl::StrCat("duplicate rule name \"", name,
                                "\" (also rules[", it->second,
                                "].name); reports need unique names"));
    }
  }
  if (absl::Status s = CheckExploration(plan, root); !s.ok()) return s;
  return CheckExpectations(plan, root);
}

absl::Status PlanChecker::CheckVersion(const Plan& plan,
                                       const Node& root) const {
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

absl::Status PlanChecker::CheckScenario(const Plan& plan,
                                        const Node& root) const {
  const Node node = Child(root, plan.scenario(), "scenario");
  std::vector<std::string> known;
  for (const ScenarioInfo* info : scenarios_.List()) known.push_back(info->name);
  const Scenario& scenario = plan.scenario();
  if (scenario.name().empty()) {
    return Error(node, "name",
                 absl::StrCat("missing; name a registered scenario",
                              KnownList(known, "scenarios")));
  }
  const ScenarioInfo* info = scenarios_.Find(scenario.name());
  if (info == nullptr) {
    return Error(node, "name",
                 absl::StrCat("unknown scenario \"", scenario.name(), "\"",
                              Hint(scenario.name(), known, "scenarios")));
  }
  const std::string& variant = scenario.variant();
  if (!variant.empty()) {
    if (info->variants.empty()) {
      return Error(node, "variant",
                   absl::StrCat("scenario \"", info->name,
                                "\" has no variants, got \"", variant, "\""));
    }
    bool known_variant = false;
    for (const std::string& v : info->variants) known_variant |= v == variant;
    if (!known_variant) {
      return Error(node, "variant",
                   absl::StrCat("unknown variant \"", variant,
                                "\" of scenario \"", info->name, "\"",
                                Hint(variant, info->variants, "variants")));
    }
  }
  return CheckParams(*info, node);
}

// Walks the params map through reflection, which keeps the text order of a
// parsed plan, so the first bad entry in the file is the one reported and
// its position is that entry's.
absl::Status PlanChecker::CheckParams(const ScenarioInfo& info,
                                      const Node& node) const {
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
    const std::string where = absl::StrCat(Prefix(filename_, location),
                                           node.path, ".params[\"", key, "\"]: ");
    if (!seen.insert(key).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "parameter set twice"));
    }
    bool is_declared = false;
    for (const std::string& name : declared) is_declared |= name == key;
    if (!is_declared) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, "unknown parameter \"", key, "\" of scenario \"", info.name,
          "\"", Hint(key, declared, "parameters")));
    }
  }
  return absl::OkStatus();
}

std::vector<std::string> PlanChecker::PointNames() const {
  std::vector<std::string> names;
  for (const PointInfo& point : sites_.points()) names.push_back(point.name);
  return names;
}

absl::Status PlanChecker::CheckRule(const Rule& rule, const Node& node) const {
  if (rule.point().empty()) {
    return Error(node, "point", "missing; name the fault point to arm");
  }
  const int32_t index = sites_.Find(rule.point());
  if (index < 0) {
    return Error(node, "point",
                 absl::StrCat("unknown fault point \"", rule.point(), "\"",
                              Hint(rule.point(), PointNames(), "points")));
  }
  if (absl::Status s = CheckConditions(rule, node); !s.ok()) return s;
  return CheckAction(rule, sites_.point(index), node);
}

absl::Status PlanChecker::CheckConditions(const Rule& rule,
                                          const Node& node) const {
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
  if (rule.nth() != 0 && rule.skip() != 0) {
    // Both are legal to the evaluator, but `skip: 2 nth: 3` reads as "the
    // third hit" to many people; one spelling avoids the ambiguity.
    const uint64_t nth = rule.nth();
    const uint64_t skip = rule.skip();
    if (skip > std::numeric_limits<uint64_t>::max() - nth) {
      return Error(node, "skip", "skip + nth overflows a 64-bit counter");
    }
    return Error(node, "skip",
                 absl::StrCat("redundant with nth: nth counts the matching "
                              "hits after skip, so this rule fires only on "
                              "matching hit ",
                              skip + nth, "; write `nth: ", skip + nth,
                              "` alone"));
  }
  for (int i = 0; i < rule.tasks_size(); ++i) {
    if (rule.tasks(i).empty()) {
      return Error(node, "tasks", "empty task name; name a task or a role",
                   i);
    }
  }
  return absl::OkStatus();
}

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

absl::Status PlanChecker::CheckAction(const Rule& rule, const PointInfo& point,
                                      const Node& node) const {
  switch (rule.action_case()) {
    case Rule::kFail:
      if (point.has_fail_site) return absl::OkStatus();
      return Error(node, "fail",
                   absl::StrCat("point \"", point.name,
                                "\" has no FL_FAULT_FAIL site, so it cannot "
                                "fail",
                                DescribeSites(point)));
    case Rule::kError:
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
      return absl::OkStatus();
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

absl::Status PlanChecker::CheckDelay(const Rule& rule, const Node& parent) const {
  const Node node = Child(parent, rule.delay(), "delay");
  const Delay& delay = rule.delay();
  if (delay.ns() < 0) {
    return Error(node, "ns",
                 absl::StrCat("expected a value >= 0, got ", delay.ns()));
  }
  const bool has_max = delay.max_ns() != 0 || Written(node, "max_ns");
  if (has_max && delay.max_ns() < delay.ns()) {
    return Error(node, "max_ns",
                 absl::StrCat("expected a value >= ns (", delay.ns(),
                              "), got ", delay.max_ns()));
  }
  return absl::OkStatus();
}

absl::Status PlanChecker::CheckTrigger(const Rule& rule,
                                       const Node& parent) const {
  const Node node = Child(parent, rule.trigger(), "trigger");
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
                            Hint(hook, known, "hooks")));
}

absl::Status PlanChecker::CheckWaitFor(const Rule& rule,
                                       const Node& parent) const {
  const Node node = Child(parent, rule.wait_for(), "wait_for");
  const WaitFor& wait = rule.wait_for();
  if (wait.point().empty()) {
    return Error(node, "point", "missing; name the point to wait for");
  }
  if (sites_.Find(wait.point()) < 0) {
    return Error(node, "point",
                 absl::StrCat("unknown fault point \"", wait.point(), "\"",
                              Hint(wait.point(), PointNames(), "points")));
  }
  if (wait.point() == rule.point()) {
    return Error(node, "point",
                 absl::StrCat("\"", wait.point(),
                              "\" waits for itself; an ordering edge needs "
                              "another point"));
  }
  if (wait.timeout_ns() <= 0) {
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
  return absl::OkStatus();
}

absl::Status PlanChecker::CheckExploration(const Plan& plan,
                                           const Node& root) const {
  const Node node = Child(root, plan.exploration(), "exploration");
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
  if (exploration.pct_depth() > kMaxPctDepth) {
    return Error(node, "pct_depth",
                 absl::StrCat("expected a value in [0, ", kMaxPctDepth,
                              "] (0 = 3), got ", exploration.pct_depth()));
  }
  return CheckStrategyFields(exploration, node);
}

// Fields that only one strategy or backend reads must not be set for
// another: the plan would silently not do what it says.
absl::Status PlanChecker::CheckStrategyFields(const Exploration& exploration,
                                              const Node& node) const {
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
  const bool exhaustive = strategy == Exploration::EXHAUSTIVE;
  const bool dpor = strategy == Exploration::DPOR;
  if (!exhaustive && !dpor && exploration.preemption_bound() != 0) {
    return Error(node, "preemption_bound",
                 absl::StrCat("only strategies EXHAUSTIVE and DPOR read "
                              "preemption_bound, but strategy is ",
                              strategy_name));
  }
  if (!exhaustive && exploration.disable_reduction()) {
    return Error(node, "disable_reduction",
                 absl::StrCat("only strategy EXHAUSTIVE reads "
                              "disable_reduction, but strategy is ",
                              strategy_name));
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

absl::Status PlanChecker::CheckExpectations(const Plan& plan,
                                            const Node& root) const {
  if (plan.expect_size() == 0) {
    return Error(root, "expect",
                 "missing; add at least one, e.g. `expect { no_violation: "
                 "true }` or `expect { violation: \"<check>\" }`");
  }
  int no_violation_at = -1;
  absl::flat_hash_map<std::string, int> forbidden;  // no_violation_of
  for (int i = 0; i < plan.expect_size(); ++i) {
    const Expectation& expect = plan.expect(i);
    if (expect.kind_case() == Expectation::kNoViolation) no_violation_at = i;
    if (expect.kind_case() == Expectation::kNoViolationOf) {
      forbidden.emplace(expect.no_violation_of(), i);
    }
  }
  for (int i = 0; i < plan.expect_size(); ++i) {
    const Expectation& expect = plan.expect(i);
    const Node node = Child(root, expect, "expect", i);
    switch (expect.kind_case()) {
      case Expectation::KIND_NOT_SET:
        return Error(node, "",
                     "empty expectation; set one of violation, "
                     "no_violation, no_violation_of, search_complete");
      case Expectation::kNoViolation:
        if (expect.no_violation()) break;
        return Error(node, "no_violation",
                     "expected true (false expects nothing; leave the "
                     "expectation out)");
      case Expectation::kNoViolationOf:
        if (!expect.no_violation_of().empty()) break;
        return Error(node, "no_violation_of",
                     "empty check name; name the check that must hold");
      case Expectation::kSearchComplete:
        if (!expect.search_complete()) {
          return Error(node, "search_complete",
                       "expected true (false expects nothing; leave the "
                       "expectation out)");
        }
        if (plan.exploration().strategy() != Exploration::EXHAUSTIVE &&
            plan.exploration().strategy() != Exploration::DPOR) {
          return Error(node, "search_complete",
                       "only systematic search can complete; set "
                       "exploration.strategy: EXHAUSTIVE or DPOR");
        }
        break;
      case Expectation::kViolation: {
        const std::string& check = expect.violation();
        if (check.empty()) {
          return Error(node, "violation",
                       "empty check name; name the check that must be "
                       "violated");
        }
        if (no_violation_at >= 0) {
          return Error(node, "violation",
                       absl::StrCat("contradicts expect[", no_violation_at,
                                    "].no_violation, which forbids every "
                                    "violation"));
        }
        auto it = forbidden.find(check);
        if (it != forbidden.end()) {
          return Error(node, "violation",
                       absl::StrCat("contradicts expect[", it->second,
                                    "].no_violation_of \"", check, "\""));
        }
        break;
      }
    }
  }
  return absl::OkStatus();
}

// Keeps the parser's first error (later ones are usually consequences).
class FirstErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (has_error_) return;
    has_error_ = true;
    location_ = ParseLocation(line, column);
    message_ = message;
  }
  void AddWarning(int line, google::protobuf::io::ColumnNumber column,
                  const std::string& message) override {}

  bool has_error() const { return has_error_; }
  ParseLocation location() const { return location_; }
  const std::string& message() const { return message_; }

 private:
  bool has_error_ = false;
  ParseLocation location_;
  std::string message_;
};

// The parser says `Message type "faultline.Rule" has no field named "nht".`;
// add the closest field name of that message type.
std::string WithFieldSuggestion(absl::string_view message) {
  constexpr absl::string_view kType = "Message type \"";
  constexpr absl::string_view kField = "\" has no field named \"";
  absl::string_view rest = message;
  if (!absl::ConsumePrefix(&rest, kType)) return std::string(message);
  const size_t type_end = rest.find(kField);
  if (type_end == absl::string_view::npos) return std::string(message);
  const std::string type_name(rest.substr(0, type_end));
  rest.remove_prefix(type_end + kField.size());
  const absl::string_view field = rest.substr(0, rest.find('"'));
  const Descriptor* type =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
          type_name);
  if (type == nullptr) return std::string(message);
  ClosestMatch match(field);
  for (int i = 0; i < type->field_count(); ++i) {
    match.Consider(type->field(i)->name());
  }
  absl::string_view text = message;
  absl::ConsumeSuffix(&text, ".");
  return absl::StrCat(text, match.DidYouMean());
}

}  // namespace

absl::StatusOr<Plan> ParsePlanText(absl::string_view text,
                                   absl::string_view filename) {
  Plan plan;
  ParseInfoTree tree;
  FirstErrorCollector errors;
  TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  parser.WriteLocationsTo(&tree);
  if (!parser.ParseFromString(std::string(text), &plan)) {
    FL_CHECK(errors.has_error());
    return absl::InvalidArgumentError(
        absl::StrCat(Prefix(filename, errors.location()),
                     WithFieldSuggestion(errors.message())));
  }
  PlanChecker checker(SiteRegistry::Get(), ScenarioRegistry::Global(),
                      HookRegistry::Global(), filename, &tree);
  if (absl::Status s = checker.Check(plan); !s.ok()) return s;
  return plan;
}

absl::StatusOr<Plan> LoadPlanFile(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    const int error = errno;
    const std::string message =
        absl::StrCat(path, ": cannot open plan: ", std::strerror(error));
    if (error == ENOENT) return absl::NotFoundError(message);
    return absl::InvalidArgumentError(message);
  }
  std::string text;
  char buffer[8192];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file)) > 0) {
    text.append(buffer, n);
  }
  const bool read_failed = std::ferror(file) != 0;
  std::fclose(file);
  if (read_failed) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": cannot read plan"));
  }
  return ParsePlanText(text, path);
}

absl::Status ValidatePlan(const Plan& plan, const SiteRegistry& sites,
                          const ScenarioRegistry& scenarios,
                          const HookRegistry& hooks) {
  return PlanChecker(sites, scenarios, hooks, "", nullptr).Check(plan);
}

}  // namespace faultline
