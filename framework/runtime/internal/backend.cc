// What both backends do around their own part of an iteration (see
// internal/backend.h).
#include "framework/runtime/internal/backend.h"

#include <memory>

#include "framework/check.h"
#include "framework/rule_set.h"
#include "framework/runtime/op.h"

namespace faultline {
namespace internal {
namespace {

// The RunContext of an iteration of `config` carried out by `executor`.
std::unique_ptr<RunContext> NewIterationRun(const IterationConfig& config,
                                            Executor* executor,
                                            bool concurrent) {
  RunOptions options;
  options.seed = config.seed;
  options.executor = executor;
  options.concurrent = concurrent;
  options.suppressed_fires = config.suppressed_fires;
  options.branch_fires = config.branch_fires;
  return std::make_unique<RunContext>(
      config.rules != nullptr ? config.rules : RuleSet::Empty(), options);
}

// The scenario's arguments, or none.
const ScenarioArgs& IterationArgs(const IterationConfig& config) {
  static const ScenarioArgs* const kNoArgs = new ScenarioArgs("", {});
  return config.args != nullptr ? *config.args : *kNoArgs;
}

}  // namespace

Backend::Backend(const IterationConfig& config, Scheduler* scheduler,
                 Executor* executor, bool concurrent)
    : config_(config),
      scheduler_(scheduler),
      executor_(executor),
      concurrent_(concurrent) {
  FL_CHECK(config_.scenario != nullptr);
  FL_CHECK(CurrentScheduler() == nullptr);  // no nested iterations
}

IterationResult Backend::Run() {
  IterationResult result;
  BeforeRun();
  std::unique_ptr<RunContext> owned_run =
      NewIterationRun(config_, executor_, concurrent_);
  run_ = owned_run.get();
  ScopedRunContext install_run(run_);
  ScopedScheduler install_scheduler(scheduler_);
  {
    World world(run_);
    world_ = &world;
    run_->set_world(&world);
    try {
      result.build_status =
          config_.scenario->build(world, IterationArgs(config_));
    } catch (const IterationAborted&) {
      // FL_BUG_ON while building: recorded (the backend is aborting); no
      // task runs.
    }
    RunWorld(result);
  }
  world_ = nullptr;
  AfterWorld(result);
  return result;
}

void Backend::FillCounters(IterationResult& result) const {
  result.fire_count = run_->fire_count();
  result.branch_hits = run_->branch_hits();
  const int points = run_->rules().point_count();
  result.points.reserve(points);
  for (int i = 0; i < points; ++i) {
    result.points.push_back(run_->point_counters(i));
  }
  const int rules = static_cast<int>(run_->rules().rules().size());
  for (int i = 0; i < rules; ++i) {
    result.rules.push_back(run_->rule_counters(i));
  }
}

}  // namespace internal
}  // namespace faultline
