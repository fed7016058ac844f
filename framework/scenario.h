// -----------------------------------------------------------------------------
// File: scenario.h
// -----------------------------------------------------------------------------
//
// The scenario registry: plans name a scenario ("btrfs_eb.seed_race") and the
// explorer asks the registry to build a fresh world for every iteration.
// Packages register scenarios at static initialization with
// FL_REGISTER_SCENARIO; the framework never includes a package's headers.
//
// A scenario declares its parameters (name, default, help), variants, the
// names and roles of the tasks it spawns and any check names it reports
// beyond the registered ones, so that the plan loader can reject an unknown
// parameter, variant, task or check with a did-you-mean before anything
// runs, and `faultline list-scenarios` can document them.
//
// Example:
//   FL_REGISTER_SCENARIO(
//       (faultline::ScenarioInfo{
//           .name = "icache.igrab_vs_evict",
//           .description = "igrab racing eviction of the last reference",
//           .params = {{"inodes", "1", "number of inodes"}},
//           .variants = {"buggy", "fixed"},
//           .build = [](faultline::World& world,
//                       const faultline::ScenarioArgs& args)
//               -> absl::Status { ... world.Spawn(...); ... },
//           .tasks = {"owner", "user", "iput", "igrab"},
//       }));
//
// Thread-safety: registration happens before main(); lookups are read-only.

#ifndef FAULTLINE_FRAMEWORK_SCENARIO_H_
#define FAULTLINE_FRAMEWORK_SCENARIO_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "framework/token_concat.h"

namespace faultline {

class World;     // framework/runtime/world.h
class Scenario;  // plan.proto
struct ScenarioInfo;

// What values a parameter takes. The loader checks plan values against it
// (CheckParamValue), so `faultline check` rejects a bad value with its
// file:line:col before any scenario is built.
enum class ParamKind {
  kText,  // any string; the scenario parses it
  kInt,   // an integer in [min, max]
  kBool,  // true or false
  kEnum,  // one of `values`
};

struct ScenarioParam {
  std::string name;
  std::string default_value;
  std::string help;
  ParamKind kind = ParamKind::kText;
  int64_t min = 0;  // kInt: inclusive bounds
  int64_t max = 0;
  std::vector<std::string> values;  // kEnum: the allowed values
};

// Declarations of typed parameters.
ScenarioParam IntParam(std::string name, std::string default_value,
                       std::string help, int64_t min, int64_t max);
ScenarioParam BoolParam(std::string name, std::string default_value,
                        std::string help);
ScenarioParam EnumParam(std::string name, std::string default_value,
                        std::string help, std::vector<std::string> values);

// "" if `value` is one `param` takes, else what was expected:
// `expected an integer in [1024, 65536], got "4611686018427387904"`.
std::string CheckParamValue(const ScenarioParam& param,
                            absl::string_view value);

// A plan's scenario section, with defaults filled in and checked against
// the scenario's declared parameters and variants.
class ScenarioArgs {
 public:
  ScenarioArgs(std::string variant,
               absl::flat_hash_map<std::string, std::string> values)
      : variant_(std::move(variant)), values_(std::move(values)) {}

  // The plan's values over the scenario's declared defaults; an empty
  // variant becomes the scenario's first (default) variant.
  static ScenarioArgs FromPlan(const ScenarioInfo& info,
                               const Scenario& scenario);

  const std::string& variant() const { return variant_; }
  // The parameter's value (plan value, else the declared default).
  const std::string& Get(absl::string_view name) const;
  // Parses the value as an integer / bool; InvalidArgument names the param.
  absl::StatusOr<int64_t> GetInt(absl::string_view name) const;
  absl::StatusOr<bool> GetBool(absl::string_view name) const;

 private:
  std::string variant_;
  absl::flat_hash_map<std::string, std::string> values_;
};

struct ScenarioInfo {
  std::string name;
  std::string description;
  std::vector<ScenarioParam> params;
  // Allowed values of Scenario.variant; the first is the default. Empty:
  // the scenario has no variants.
  std::vector<std::string> variants;
  // Builds one iteration's world: allocate objects, spawn tasks, register
  // quiescence checks. Runs inside the iteration's run.
  std::function<absl::Status(World&, const ScenarioArgs&)> build;
  // Names and roles of the tasks `build` spawns, and of tasks they spawn
  // (World::Spawn's name and role), so a rule's `tasks:` filter that no task
  // can match is rejected at load time. A name the scenario only knows when
  // it runs (one per parameter value, one per I/O) is declared as a pattern
  // where `*` matches any run of characters: "search*".
  std::vector<std::string> tasks;
  // Check names this scenario reports that no FL_BUG_ON / FL_WARN_ON spells
  // out (check_registry.h lists the ones that do), so expectations on them
  // are accepted.
  std::vector<std::string> checks;
};

class ScenarioRegistry {
 public:
  static ScenarioRegistry& Global();

  void Register(ScenarioInfo info);  // FL_CHECK-fails on duplicates
  const ScenarioInfo* Find(absl::string_view name) const;  // nullptr
  // Registered scenarios sorted by name.
  std::vector<const ScenarioInfo*> List() const;

 private:
  std::vector<ScenarioInfo> scenarios_;
};

namespace internal {
struct ScenarioRegistrar {
  explicit ScenarioRegistrar(ScenarioInfo info) {
    ScenarioRegistry::Global().Register(std::move(info));
  }
};
}  // namespace internal
}  // namespace faultline

#define FL_REGISTER_SCENARIO(info)                                          \
  static const ::faultline::internal::ScenarioRegistrar FL_INTERNAL_CONCAT( \
      fl_scenario_registrar_, __COUNTER__)(info)

#endif  // FAULTLINE_FRAMEWORK_SCENARIO_H_
