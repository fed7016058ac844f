// -----------------------------------------------------------------------------
// File: internal/world_access.h
// -----------------------------------------------------------------------------
//
// What a backend may do with a World beyond what a scenario does: take the
// tasks spawned since it last looked, run the step and quiescence checks,
// and read the state probe. These are private members of World; this class
// (a friend) is the engine's only way to them.
//
// Thread-safety: as the World members it forwards to.

#ifndef FAULTLINE_FRAMEWORK_RUNTIME_INTERNAL_WORLD_ACCESS_H_
#define FAULTLINE_FRAMEWORK_RUNTIME_INTERNAL_WORLD_ACCESS_H_

#include <vector>

#include "framework/runtime/world.h"

namespace faultline {
namespace internal {

class WorldAccess {
 public:
  using TaskSpec = World::TaskSpec;

  // The tasks spawned since the last call, in spawn order.
  static std::vector<TaskSpec> TakeSpawned(World& world) {
    return world.TakeSpawned();
  }
  static void RunStepChecks(World& world) { world.RunStepChecks(); }
  static void RunQuiescenceChecks(World& world) { world.RunQuiescenceChecks(); }
  static StateSnapshot ProbeState(const World& world) {
    return world.ProbeState();
  }
  static bool has_step_checks(const World& world) {
    return world.has_step_checks();
  }
  // Whether NoteTouched is wanted (some AtEveryStepTouched check).
  static bool wants_touched(const World& world) {
    return world.wants_touched();
  }
  // Records that an operation other than a load was applied to `object`.
  static void NoteTouched(World& world, const void* object) {
    world.NoteTouched(object);
  }
  static bool has_state_probe(const World& world) {
    return world.has_state_probe();
  }
  // The scenario's filter of rendered operations (nullptr: all).
  static const std::function<bool(absl::string_view)>& ops_shown(
      const World& world) {
    return world.ops_shown();
  }
};

}  // namespace internal
}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RUNTIME_INTERNAL_WORLD_ACCESS_H_
