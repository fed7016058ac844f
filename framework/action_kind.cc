// Names of rule actions (see action_kind.h).
#include "framework/action_kind.h"

namespace faultline {

const char* ActionKindName(ActionKind kind) {
  switch (kind) {
    case ActionKind::kFail:
      return "fail";
    case ActionKind::kError:
      return "error";
    case ActionKind::kDelay:
      return "delay";
    case ActionKind::kYield:
      return "yield";
    case ActionKind::kTrigger:
      return "trigger";
    case ActionKind::kWaitFor:
      return "wait_for";
  }
  return "unknown";
}

}  // namespace faultline
