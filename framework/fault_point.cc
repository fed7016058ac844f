// Slow paths of the FL_FAULT_* macros: hand the hit to the run installed on
// this thread, if any (see fault_point.h).
#include "framework/fault_point.h"

#include "framework/run_context.h"

namespace faultline {
namespace internal {

void HitPoint(const SiteDescriptor* site, uint64_t key) {
  RunContext* run = CurrentRun();
  if (run != nullptr) run->Hit(*site, key);
}

bool HitFail(const SiteDescriptor* site, uint64_t key) {
  RunContext* run = CurrentRun();
  return run != nullptr && run->Hit(*site, key).fail;
}

int64_t HitError(const SiteDescriptor* site, uint64_t key) {
  RunContext* run = CurrentRun();
  return run == nullptr ? 0 : run->Hit(*site, key).error;
}

}  // namespace internal
}  // namespace faultline
