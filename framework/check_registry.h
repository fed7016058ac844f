// -----------------------------------------------------------------------------
// File: check_registry.h
// -----------------------------------------------------------------------------
//
// The names of every check this binary can report, so a plan's
// `expect { violation: ... }` and `no_violation_of` are validated before
// anything runs and `faultline list-checks` can show them. Three sources:
//
//   - FL_BUG_ON / FL_WARN_ON uses, whose static descriptors register
//     themselves before main() (check.h). Like fault points, a check in a
//     function that never runs is still known.
//   - The runtime's own checks (deadlock, livelock.step_budget, ...), listed
//     in RuntimeCheckNames() next to the code that reports them.
//   - Names a scenario reports that no macro spells out, declared in
//     ScenarioInfo::checks (scenario.h) and checked per plan by the loader.
//
// Thread-safety: Get() builds the registry once (thread-safe); it is
// immutable afterwards.

#ifndef FAULTLINE_FRAMEWORK_CHECK_REGISTRY_H_
#define FAULTLINE_FRAMEWORK_CHECK_REGISTRY_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "framework/check.h"

namespace faultline {

// One check name and where it is reported.
struct CheckInfo {
  std::string name;
  // "file:line" of each FL_BUG_ON / FL_WARN_ON use, sorted; "runtime" for
  // the runtime's own checks.
  std::vector<std::string> where;
  bool fatal = false;  // true if any use is fatal (FL_BUG_ON, runtime)
};

// The violations the runtime itself reports (framework/runtime/). They have
// no FL_BUG_ON to register them; keep this list in step with the runtime's
// ReportModelError / ReportFatal calls.
const std::vector<std::string>& RuntimeCheckNames();

class CheckRegistry {
 public:
  // The registry of this binary: the registered checks plus
  // RuntimeCheckNames(). Call after main() has started.
  static const CheckRegistry& Get();

  // Builds a registry from explicit descriptors and extra names (tests).
  CheckRegistry(std::vector<const CheckDescriptor*> checks,
                const std::vector<std::string>& runtime_names);

  // Sorted by name.
  const std::vector<CheckInfo>& checks() const { return checks_; }
  std::vector<std::string> Names() const;
  bool Contains(absl::string_view name) const;

 private:
  std::vector<CheckInfo> checks_;
};

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_CHECK_REGISTRY_H_
