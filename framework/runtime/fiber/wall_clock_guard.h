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
// passed after the first, the watcher says so on stderr and ends the
// process with exit status 1, rather than letting it hang.
//
// Thread-safety: a guard is armed and read on its iteration's thread; the
// watcher reaches it only under the watcher's lock, and a guard leaves the
// watcher's list (under that lock) before it is destroyed.

#ifndef FAULTLINE_FRAMEWORK_RUNTIME_FIBER_WALL_CLOCK_GUARD_H_
#define FAULTLINE_FRAMEWORK_RUNTIME_FIBER_WALL_CLOCK_GUARD_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace faultline {
namespace internal {

class WallClockGuard {
 public:
  // Arms the guard for `limit_ms` from now; limit_ms <= 0 leaves it off.
  // `what` names the iteration in the exit message (must outlive the guard).
  WallClockGuard(int64_t limit_ms, const std::string* what);
  ~WallClockGuard();
  WallClockGuard(const WallClockGuard&) = delete;
  WallClockGuard& operator=(const WallClockGuard&) = delete;

  // True once the limit has passed (a relaxed load: one per decision).
  bool expired() const { return expired_.load(std::memory_order_relaxed); }
  int64_t limit_ms() const { return limit_ms_; }

 private:
  friend class WallClockWatcher;

  const int64_t limit_ms_;
  const std::string* const what_;
  std::chrono::steady_clock::time_point deadline_;
  std::atomic<bool> expired_{false};
};

}  // namespace internal
}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RUNTIME_FIBER_WALL_CLOCK_GUARD_H_
