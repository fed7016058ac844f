// -----------------------------------------------------------------------------
// File: fiber/wall_clock_guard.h
// -----------------------------------------------------------------------------
//
// The fiber backend's wall-clock guard: an iteration that takes longer than
// IterationConfig::wall_time_limit_ms of real time is stopped as the
// violation "livelock.wall_time". Virtual time and the step budget bound what
// a model does through instrumented operations; this bounds what it does
// between them (a loop that touches no Atomic, lock or fault point).
//
// Wall time only ever decides that an iteration ends, never which task runs
// next: a run that stays within the limit is exactly as deterministic as one
// without the guard.
//
// One watcher thread per process (started with the first guard) polls the
// armed guards and marks those past their deadline; the scheduler reads the
// mark at its next decision and reports the violation there. A task that
// never reaches a decision again (an endless loop with no instrumented
// operation) cannot be stopped on its own fiber: when a second limit has
// passed after the first, the watcher gives the iteration up: it says so on
// stderr, calls the guard's `give_up` callback (the scheduler's: it hands
// what the iteration did to IterationConfig::on_stuck, so the caller can
// still write its report) and ends the process with exit status 1, rather
// than letting it hang.
//
// Who ends the iteration is decided once: the scheduler by Report() at a
// decision, or the watcher by giving up. A scheduler that loses (it reaches
// a decision after the watcher gave up) must not touch the iteration again:
// Report() then parks its thread until the process exits.
//
// Thread-safety: a guard is armed and read on its iteration's thread; the
// watcher reaches it only under the watcher's lock, and a guard leaves the
// watcher's list (under that lock) before it is destroyed. What `give_up`
// reads of the iteration must have been published by the scheduler with a
// release store that the callback loads with acquire (FiberScheduler's
// published_steps_).

#ifndef FAULTLINE_FRAMEWORK_RUNTIME_FIBER_WALL_CLOCK_GUARD_H_
#define FAULTLINE_FRAMEWORK_RUNTIME_FIBER_WALL_CLOCK_GUARD_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace faultline {
namespace internal {

class WallClockGuard {
 public:
  // Arms the guard for `limit_ms` from now; limit_ms <= 0 leaves it off.
  // `what` names the iteration in the exit message (must outlive the guard).
  // `give_up` (may be empty) runs on the watcher thread just before the
  // process exits because the iteration could not be stopped.
  WallClockGuard(int64_t limit_ms, const std::string* what,
                 std::function<void()> give_up = {});
  ~WallClockGuard();
  WallClockGuard(const WallClockGuard&) = delete;
  WallClockGuard& operator=(const WallClockGuard&) = delete;

  // True once the limit has passed (a relaxed load: one per decision).
  bool expired() const {
    return state_.load(std::memory_order_relaxed) != kArmed;
  }
  // Claims the expired iteration for the scheduler, which then reports
  // livelock.wall_time. If the watcher has already given it up, never
  // returns: the process is exiting and the iteration is the watcher's.
  // REQUIRES: expired().
  void Claim();
  int64_t limit_ms() const { return limit_ms_; }

 private:
  friend class WallClockWatcher;

  enum State : int { kArmed, kExpired, kClaimed, kGivenUp };

  const int64_t limit_ms_;
  const std::string* const what_;
  const std::function<void()> give_up_;
  std::chrono::steady_clock::time_point deadline_;
  std::atomic<int> state_{kArmed};
};

}  // namespace internal
}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RUNTIME_FIBER_WALL_CLOCK_GUARD_H_
