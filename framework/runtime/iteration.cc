// RunIteration: picks the backend and brackets the run with the strategy's
// BeginIteration / EndIteration (see iteration.h).
#include "framework/runtime/iteration.h"

#include "framework/check.h"
#include "framework/runtime/internal/fiber_scheduler.h"
#include "framework/runtime/internal/thread_scheduler.h"

namespace faultline {

IterationResult RunIteration(const IterationConfig& config) {
  FL_CHECK(config.scenario != nullptr);
  FL_CHECK(config.scenario->build != nullptr);
  if (config.backend == IterationConfig::Backend::kThreads) {
    internal::ThreadScheduler scheduler(config);
    return scheduler.Run();
  }
  Strategy* strategy = config.strategy;
  if (strategy != nullptr && !strategy->BeginIteration(config.seed)) {
    IterationResult result;
    result.ran = false;
    return result;
  }
  IterationResult result;
  {
    internal::FiberScheduler scheduler(config);
    result = scheduler.Run();
  }
  if (strategy != nullptr) {
    strategy->EndIteration(result.trace);
    result.strategy_status = strategy->Divergence();
  }
  return result;
}

}  // namespace faultline
