// Helpers shared by every strategy: footprints, the default choice and
// preemptions (see strategy.h).
#include "framework/runtime/strategies/strategy.h"

#include <algorithm>

#include "framework/check.h"

namespace faultline {

bool Conflicts(const Footprint& a, const Footprint& b) {
  using Access = Footprint::Access;
  // A step that touches nothing (a note, a yield, a delay) commutes even
  // with a global one. Checked first: DPOR's race scan never looks back
  // from such a step, so a global step counted as conflicting with it
  // would order them in one direction only and lose the other order's
  // classes.
  if (a.access == Access::kNone || b.access == Access::kNone) return false;
  if (a.access == Access::kGlobal || b.access == Access::kGlobal) return true;
  if (a.object != b.object) return false;
  if (a.bit != b.bit && a.bit != Footprint::kAllBits &&
      b.bit != Footprint::kAllBits) {
    return false;
  }
  if (a.add && b.add) return false;  // x += c; x += d == x += d; x += c
  return a.access == Access::kWrite || b.access == Access::kWrite;
}

uint32_t DefaultChoice(const SchedulingPoint& point) {
  FL_CHECK(!point.runnable.empty());
  if (point.current != 0 &&
      std::binary_search(point.runnable.begin(), point.runnable.end(),
                         point.current)) {
    return point.current;
  }
  FL_CHECK(point.runnable.front() != 0);
  return point.runnable.front();
}

bool IsPreemption(const SchedulingPoint& point, uint32_t task) {
  FL_CHECK(task != 0);
  return point.current != 0 && task != point.current &&
         std::binary_search(point.runnable.begin(), point.runnable.end(),
                            point.current);
}

}  // namespace faultline
