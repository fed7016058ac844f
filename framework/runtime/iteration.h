// -----------------------------------------------------------------------------
// File: iteration.h
// -----------------------------------------------------------------------------
//
// RunIteration runs one iteration of a scenario: it creates a RunContext
// (rules + seed) and a fresh World, calls the scenario's build function, runs
// the spawned tasks on the chosen backend until they all finish or a fatal
// violation, deadlock, step budget or watchdog ends the iteration, runs the
// quiescence checks (only after a clean finish), destroys the World and
// returns what happened. This is the explorer's single entry point.
//
// Backends:
//   kFibers   one OS thread, deterministic: `strategy` picks the task of
//             every step; virtual time. Same config + same strategy state =>
//             same trace hash, in any process.
//   kThreads  one std::thread per task, real time, for realism and
//             ThreadSanitizer. Fault decisions are still keyed by
//             (seed, point, task, hit), but the interleaving is the OS's:
//             replay there is best effort. A watchdog turns a hang into the
//             violation "watchdog.timeout".
//
// Example:
//   auto strategy = faultline::NewRandomWalkStrategy(1);
//   faultline::IterationConfig config;
//   config.strategy = strategy.get();
//   config.seed = 42;
//   config.scenario = faultline::ScenarioRegistry::Global().Find("demo");
//   config.args = &args;
//   config.rules = rules;  // nullptr: no fault rules
//   faultline::IterationResult r = faultline::RunIteration(config);
//   if (!r.violations.empty()) std::cout << r.trace.Render();
//
// Thread-safety: independent iterations may run concurrently on different
// threads. REQUIRES: the calling thread is not itself running a task.

#ifndef FAULTLINE_FRAMEWORK_RUNTIME_ITERATION_H_
#define FAULTLINE_FRAMEWORK_RUNTIME_ITERATION_H_

#include "framework/runtime/iteration_config.h"

namespace faultline {

IterationResult RunIteration(const IterationConfig& config);

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RUNTIME_ITERATION_H_
