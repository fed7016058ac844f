// -----------------------------------------------------------------------------
// File: action_kind.h
// -----------------------------------------------------------------------------
//
// What a fault rule does when it fires (a plan rule's action): fail the
// site, return an error, delay, yield, trigger a hook, or wait for another
// point. Counters are kept per action kind (run_context.h: PointCounters).

#ifndef FAULTLINE_FRAMEWORK_ACTION_KIND_H_
#define FAULTLINE_FRAMEWORK_ACTION_KIND_H_

#include <cstdint>

namespace faultline {

enum class ActionKind : uint8_t {
  kFail = 0,
  kError,
  kDelay,
  kYield,
  kTrigger,
  kWaitFor,
};
inline constexpr int kActionKindCount = 6;

// The action's name as a plan writes it ("fail", "wait_for", ...).
const char* ActionKindName(ActionKind kind);

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_ACTION_KIND_H_
