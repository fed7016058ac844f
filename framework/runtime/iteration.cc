// RunIteration: picks the backend and brackets the run with the strategy's
// BeginIteration / EndIteration (see iteration.h). It knows the backends only
// through their factories (internal/backend.h): no Boost here.
#include "framework/runtime/iteration.h"

#include "framework/check.h"
#include "framework/runtime/internal/backend.h"

namespace faultline {

IterationResult RunIteration(const IterationConfig& config) {
  FL_CHECK(config.scenario != nullptr);
  FL_CHECK(config.scenario->build != nullptr);
  if (config.backend == IterationConfig::Backend::kThreads) {
    return internal::NewThreadBackend(config)->Run();
  }
  Strategy* strategy = config.strategy;
  if (strategy != nullptr && !strategy->BeginIteration(config.seed)) {
    IterationResult result;
    result.ran = false;
    return result;
  }
  IterationResult result;
  { result = internal::NewFiberBackend(config)->Run(); }
  if (strategy != nullptr) {
    strategy->EndIteration(result.trace);
    result.strategy_status = strategy->Divergence();
  }
  return result;
}

}  // namespace faultline
