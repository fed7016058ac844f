// -----------------------------------------------------------------------------
// File: internal/backend.h
// -----------------------------------------------------------------------------
//
// A backend runs the tasks of one iteration: the fiber backend (fiber/, the
// only code that sees Boost) or the thread backend (threads/). RunIteration
// (iteration.cc) creates one through the factory functions below, which is
// all it knows of either.
//
// The part of an iteration both backends share is Backend::Run: it creates
// the RunContext of the config and a fresh World, installs the run and the
// backend's Scheduler on the calling thread, builds the scenario, and then
// hands over to the backend (RunWorld, then AfterWorld once the World is
// gone). Not part of the public API.
//
// Thread-safety: a Backend runs one iteration, once, on the calling thread.

#ifndef FAULTLINE_FRAMEWORK_RUNTIME_INTERNAL_BACKEND_H_
#define FAULTLINE_FRAMEWORK_RUNTIME_INTERNAL_BACKEND_H_

#include <memory>

#include "framework/run_context.h"
#include "framework/runtime/internal/scheduler.h"
#include "framework/runtime/iteration_config.h"
#include "framework/runtime/world.h"

namespace faultline {
namespace internal {

class Backend {
 public:
  virtual ~Backend() = default;
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;

  // Runs the whole iteration (see iteration.h).
  IterationResult Run();

 protected:
  // `scheduler` and `executor` are the backend itself (list Backend after
  // them among the bases, so they exist when this runs). `concurrent`:
  // hits may come from several OS threads (RunOptions::concurrent).
  Backend(const IterationConfig& config, Scheduler* scheduler,
          Executor* executor, bool concurrent);

  // First thing in Run(), before the run exists.
  virtual void BeforeRun() {}
  // The backend's part: run the tasks and the quiescence checks and fill
  // `result`. The world is built (result.build_status says how that went)
  // and alive; run_ and world_ are set.
  virtual void RunWorld(IterationResult& result) = 0;
  // After the World is destroyed; the run is still installed.
  virtual void AfterWorld(IterationResult& result) = 0;

  // Copies the run's fire count and point and rule counters into `result`.
  void FillCounters(IterationResult& result) const;

  const IterationConfig& config_;
  RunContext* run_ = nullptr;
  World* world_ = nullptr;

 private:
  Scheduler* const scheduler_;
  Executor* const executor_;
  const bool concurrent_;
};

// Defined in fiber/fiber_scheduler.cc and threads/thread_scheduler.cc.
std::unique_ptr<Backend> NewFiberBackend(const IterationConfig& config);
std::unique_ptr<Backend> NewThreadBackend(const IterationConfig& config);

}  // namespace internal
}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RUNTIME_INTERNAL_BACKEND_H_
