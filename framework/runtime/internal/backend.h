// -----------------------------------------------------------------------------
// File: internal/backend.h
// -----------------------------------------------------------------------------
//
// A backend runs the tasks of one iteration: the fiber backend (fiber/, the
// only code that sees Boost) or the thread backend (threads/). RunIteration
// (iteration.cc) creates one through the factory functions below, which is
// all it knows of either, and the parts of an iteration's setup that both
// share live here too: the run's options and rules, and the scenario
// arguments to build with. Not part of the public API.
//
// Thread-safety: a Backend runs one iteration, once, on the calling thread.

#ifndef FAULTLINE_FRAMEWORK_RUNTIME_INTERNAL_BACKEND_H_
#define FAULTLINE_FRAMEWORK_RUNTIME_INTERNAL_BACKEND_H_

#include <memory>

#include "framework/run_context.h"
#include "framework/runtime/iteration_config.h"

namespace faultline {
namespace internal {

class Backend {
 public:
  virtual ~Backend() = default;
  // Runs the whole iteration (see iteration.h).
  virtual IterationResult Run() = 0;
};

// Defined in fiber/fiber_scheduler.cc and threads/thread_scheduler.cc.
std::unique_ptr<Backend> NewFiberBackend(const IterationConfig& config);
std::unique_ptr<Backend> NewThreadBackend(const IterationConfig& config);

// The RunContext of an iteration of `config` carried out by `executor`.
// `concurrent`: hits may come from several OS threads (thread backend).
inline std::unique_ptr<RunContext> NewIterationRun(
    const IterationConfig& config, Executor* executor, bool concurrent) {
  RunOptions options;
  options.seed = config.seed;
  options.executor = executor;
  options.concurrent = concurrent;
  options.suppressed_fires = config.suppressed_fires;
  return std::make_unique<RunContext>(
      config.rules != nullptr ? config.rules : RuleSet::Empty(), options);
}

// The scenario's arguments, or none.
inline const ScenarioArgs& IterationArgs(const IterationConfig& config) {
  static const ScenarioArgs* const kNoArgs = new ScenarioArgs("", {});
  return config.args != nullptr ? *config.args : *kNoArgs;
}

}  // namespace internal
}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RUNTIME_INTERNAL_BACKEND_H_
