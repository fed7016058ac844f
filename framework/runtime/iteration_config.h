// -----------------------------------------------------------------------------
// File: iteration_config.h
// -----------------------------------------------------------------------------
//
// What one iteration is asked to do (IterationConfig) and what it reports
// (IterationResult). RunIteration (iteration.h) takes the one and returns the
// other; the backends (fiber/, threads/) see only these two, so they do not
// depend on RunIteration itself.
//
// Thread-safety: plain values.

#ifndef FAULTLINE_FRAMEWORK_RUNTIME_ITERATION_CONFIG_H_
#define FAULTLINE_FRAMEWORK_RUNTIME_ITERATION_CONFIG_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "framework/run_context.h"
#include "framework/runtime/strategies/strategy.h"
#include "framework/runtime/trace/trace.h"
#include "framework/scenario.h"
#include "framework/violation.h"

namespace faultline {

class RuleSet;  // framework/rule_set.h (engine)

struct StuckIteration;

struct IterationConfig {
  enum class Backend { kFibers, kThreads };
  Backend backend = Backend::kFibers;
  // Fibers: decides every step (not owned). nullptr: default choices only
  // (run the current task as long as it can, then the lowest ordinal).
  Strategy* strategy = nullptr;
  uint64_t seed = 0;
  // Fibers: more steps than this is the violation "livelock.step_budget".
  uint64_t max_steps = 100000;
  // Fibers: virtual time one step takes. Sleeping tasks wake when this clock
  // reaches their deadline, or earlier in real terms: when no task can run,
  // the clock jumps to the earliest deadline.
  int64_t step_ns = 100;
  // Fibers: the step model optimal DPOR needs (docs/runtime.md, "DPOR"):
  // a lock is runnable only while free; a trylock's footprint reads when it
  // will fail and writes when it will acquire; fault hits touch shared state
  // only where a rule's counters or a wait_for make them observable; time
  // does not move per step (a timed wait times out, a sleeper wakes, only
  // when no task can run) and a delay is a plain step; a task that yields
  // after a loop iteration that changed nothing waits until another task
  // changes something it read (or nothing else can run). Replays of
  // schedules found this way need it too.
  bool dpor = false;
  // Fibers, with dpor: compute SchedulingPoint::state at every decision
  // (fiber_state_key.cc), for a strategy that caches states.
  bool state_keys = false;
  // Fibers: fill IterationResult::outcome. Tracks what each task sees as
  // state_keys does, without computing a key at every decision.
  bool outcomes = false;
  // Fibers: an iteration taking longer than this much real time is the
  // violation "livelock.wall_time" (0 = no limit); see
  // fiber/wall_clock_guard.h. Wall time never decides a schedule.
  int64_t wall_time_limit_ms = 10000;
  // Fibers: an iteration still running a whole wall_time_limit_ms after its
  // limit passed has a task that reaches no scheduling point (a loop without
  // an instrumented operation) and cannot be stopped, so the process exits
  // with status 1. If set, this is called first, on the guard's watcher
  // thread while the iteration's thread is stuck, with what the iteration
  // had done: the caller's last chance to write its report. It must not
  // touch the iteration's world, nor wait for the iteration's thread.
  std::function<void(const StuckIteration&)> on_stuck;
  // Threads: a run longer than this is the violation "watchdog.timeout".
  int64_t thread_timeout_ms = 10000;
  const ScenarioInfo* scenario = nullptr;  // REQUIRED
  const ScenarioArgs* args = nullptr;      // nullptr: no parameters
  std::shared_ptr<const RuleSet> rules;    // nullptr: RuleSet::Empty()
  // Keep events in the trace (the hash is computed either way).
  bool record_events = true;
  // Fibers, with record_events: take the world's state probe at the end of
  // every step (Trace::step_states), so a rendered table shows the state
  // after each row's step. For replays that render: a probe formats
  // strings. Not part of the hash.
  bool probe_each_step = false;
  // Rule fires (by fire ordinal) that must not fire: the minimizer's way to
  // drop injected faults. Sorted ascending. See RunOptions.
  std::vector<uint64_t> suppressed_fires;
  // Fault choices: where branching rules fire (RunOptions::branch_fires).
  std::vector<uint64_t> branch_fires;
};

// An iteration the wall-clock guard gave up on (IterationConfig::on_stuck).
struct StuckIteration {
  Violation violation;  // "livelock.wall_time", at the last step decided
  // The decisions so far: step_count and switches (no events, hash 0), so
  // a replay token made from them replays up to where the task got stuck.
  Trace trace;
};

struct IterationResult {
  // Fatal and non-fatal, in the order reported, with task and step.
  std::vector<Violation> violations;
  Trace trace;
  uint64_t steps = 0;
  int64_t virtual_ns = 0;             // threads: elapsed real time
  std::vector<PointCounters> points;  // by SiteRegistry point index
  std::vector<RuleCounters> rules;    // by rule ordinal
  // Rule fires in this iteration, counting suppressed ones.
  uint64_t fire_count = 0;
  // Hits of branching rules that could have fired (RunContext::branch_hits).
  std::vector<uint64_t> branch_hits;
  absl::Status build_status;  // the scenario's build result
  // False if the strategy had no more schedules (nothing was run).
  bool ran = true;
  // The strategy stopped the run part way (kStopRun): not a schedule, and
  // no end-of-run checks ran.
  bool cut_short = false;
  // Under IterationConfig::outcomes: a hash of what every task saw (each
  // one's observed values, objects named by who created them), equal for
  // two runs exactly when every task read the same values; 0 when a task
  // did not finish, the run aborted, or a step touched an unnamed object.
  uint64_t outcome = 0;
  // The strategy's Divergence() after the run (e.g. strict replay).
  absl::Status strategy_status;
};

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RUNTIME_ITERATION_CONFIG_H_
