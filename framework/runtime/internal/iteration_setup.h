// The parts of an iteration's setup that both backends share: the run's
// options and rules, and the scenario arguments to build with.

#ifndef FAULTLINE_FRAMEWORK_RUNTIME_INTERNAL_ITERATION_SETUP_H_
#define FAULTLINE_FRAMEWORK_RUNTIME_INTERNAL_ITERATION_SETUP_H_

#include <memory>

#include "framework/run_context.h"
#include "framework/runtime/iteration.h"

namespace faultline {
namespace internal {

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

#endif  // FAULTLINE_FRAMEWORK_RUNTIME_INTERNAL_ITERATION_SETUP_H_
