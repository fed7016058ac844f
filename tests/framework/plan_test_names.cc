// Test-only names for plans to find: fault points of each kind, checks, two
// scenarios (with parameters and variants, and without) and a hook. None of
// them runs; the registries list them from their ELF sections and static
// initializers, so the plan loader's tests have names to validate against.
#include <cstdint>

#include "absl/status/status.h"
#include "framework/check.h"
#include "framework/fault_point.h"
#include "framework/hooks.h"
#include "framework/scenario.h"

namespace faultline {
namespace {

// Test-only fault points: one of each kind, never called. The registry lists
// them from the faultline_sites section anyway.
[[maybe_unused]] bool AllocPage(uint64_t key) {
  return FL_FAULT_FAIL("plantest.alloc_page", key);
}
[[maybe_unused]] int64_t ReadBlock() {
  return FL_FAULT_ERROR("plantest.read_block");
}
[[maybe_unused]] void Lock() {
  FL_FAULT_POINT("plantest.before_lock");
  FL_FAULT_POINT("plantest.after_lock");
}

// Test-only checks, never evaluated. The check registry lists them from the
// faultline_checks section anyway.
[[maybe_unused]] void Release(int refs, bool leaked) {
  FL_BUG_ON(refs < 0, "plantest.refcount_underflow");
  FL_WARN_ON(leaked, "plantest.leak");
}

absl::Status BuildNothing(World&, const ScenarioArgs&) {
  return absl::OkStatus();
}

FL_REGISTER_SCENARIO((ScenarioInfo{
    "plantest.seed_race",
    "test-only scenario with parameters and variants",
    {IntParam("threads", "2", "tasks to spawn", 1, 64),
     {"rounds", "1", "loops per task"},
     BoolParam("verbose", "false", "test-only flag"),
     EnumParam("mode", "fast", "test-only choice", {"fast", "slow"})},
    {"prefix", "postfix"},
    BuildNothing,
    {"writer", "reader*", "io"},
    {"plantest.quiescent_leak"},
}));
FL_REGISTER_SCENARIO((ScenarioInfo{"plantest.no_variants",
                                   "test-only scenario without knobs",
                                   {},
                                   {},
                                   BuildNothing}));
FL_REGISTER_HOOK("plantest.force_reclaim", "test-only hook; does nothing",
                 [](HookCall&) {});

}  // namespace
}  // namespace faultline
