// -----------------------------------------------------------------------------
// File: condition_variable.h
// -----------------------------------------------------------------------------
//
// faultline::CondVar: a condition variable for faultline::Mutex with
// std::condition_variable's names (wait, wait_for, notify_one,
// notify_all), taking std::unique_lock<faultline::Mutex>.
//
// Built normally it is instrumented: a waiter unlocks the mutex and blocks
// on a WaitQueue until a notify after its wait began (under the fiber
// backend it is not runnable until then, and a wait nobody will end is
// reported as a deadlock naming the queue), then relocks. notify_one wakes
// every waiter, which std allows (a waiter must re-check its condition; the
// predicate overloads do). Timeouts are virtual time under fibers. Built
// with `--define faultline=off` it is a std::condition_variable and
// nothing else.
//
// There is no wait_until: a deadline on a real clock would make a fiber
// schedule depend on wall-clock time; use wait_for.
//
// Example:
//   faultline::Mutex mu_{"pool.latch"};
//   faultline::CondVar freed_{"pool.freed"};
//   std::unique_lock<faultline::Mutex> lock(mu_);
//   freed_.wait(lock, [&] { return free_frames_ > 0; });
//
// Thread-safety: all members are thread-safe.

#ifndef FAULTLINE_FRAMEWORK_RUNTIME_CONDITION_VARIABLE_H_
#define FAULTLINE_FRAMEWORK_RUNTIME_CONDITION_VARIABLE_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "framework/runtime/mutex.h"

#if !defined(FAULTLINE_DISABLED)
#include "framework/runtime/atomic.h"
#include "framework/runtime/wait_queue.h"
#endif

namespace faultline {

#if defined(FAULTLINE_DISABLED)
// See atomic.h: compiled-out types never share a symbol with instrumented
// ones.
inline namespace compiled_out {

class CondVar {
 public:
  CondVar() = default;
  explicit CondVar(const char* /*label*/) {}
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  void notify_one() noexcept { cv_.notify_one(); }
  void notify_all() noexcept { cv_.notify_all(); }

  void wait(std::unique_lock<Mutex>& lock) {
    std::unique_lock<std::mutex> native(lock.mutex()->native(),
                                        std::adopt_lock);
    cv_.wait(native);
    native.release();
  }
  template <typename Predicate>
  void wait(std::unique_lock<Mutex>& lock, Predicate ready) {
    while (!ready()) wait(lock);
  }
  template <typename Rep, typename Period>
  std::cv_status wait_for(std::unique_lock<Mutex>& lock,
                          const std::chrono::duration<Rep, Period>& timeout) {
    std::unique_lock<std::mutex> native(lock.mutex()->native(),
                                        std::adopt_lock);
    const std::cv_status status = cv_.wait_for(native, timeout);
    native.release();
    return status;
  }
  template <typename Rep, typename Period, typename Predicate>
  bool wait_for(std::unique_lock<Mutex>& lock,
                const std::chrono::duration<Rep, Period>& timeout,
                Predicate ready) {
    std::unique_lock<std::mutex> native(lock.mutex()->native(),
                                        std::adopt_lock);
    const bool done = cv_.wait_for(native, timeout, ready);
    native.release();
    return done;
  }

 private:
  std::condition_variable cv_;
};

#else  // !FAULTLINE_DISABLED

class CondVar {
 public:
  CondVar() : CondVar("condition_variable") {}
  explicit CondVar(const char* label) : queue_(label), generation_(0, label) {}
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  void notify_one() { notify_all(); }
  void notify_all();

  void wait(std::unique_lock<Mutex>& lock) { WaitNs(lock, -1); }
  template <typename Predicate>
  void wait(std::unique_lock<Mutex>& lock, Predicate ready) {
    while (!ready()) wait(lock);
  }
  template <typename Rep, typename Period>
  std::cv_status wait_for(std::unique_lock<Mutex>& lock,
                          const std::chrono::duration<Rep, Period>& timeout) {
    return WaitNs(lock, ToNs(timeout)) ? std::cv_status::no_timeout
                                       : std::cv_status::timeout;
  }
  // As std: waits until ready() or the timeout (measured from this call)
  // passed; returns ready().
  template <typename Rep, typename Period, typename Predicate>
  bool wait_for(std::unique_lock<Mutex>& lock,
                const std::chrono::duration<Rep, Period>& timeout,
                Predicate ready) {
    int64_t left = ToNs(timeout);
    while (!ready()) {
      const int64_t start = NowNs();
      if (left <= 0 || !WaitNs(lock, left)) return ready();
      left -= NowNs() - start;
    }
    return true;
  }

 private:
  template <typename Rep, typename Period>
  static int64_t ToNs(const std::chrono::duration<Rep, Period>& d) {
    const int64_t ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
    return ns < 0 ? 0 : ns;
  }
  // Unlocks, waits for a notify (or `timeout_ns` < 0: no timeout), relocks.
  // True if notified.
  bool WaitNs(std::unique_lock<Mutex>& lock, int64_t timeout_ns);
  // The run's clock (virtual under fibers), or the steady clock.
  static int64_t NowNs();

  WaitQueue queue_;
  // Bumped by every notify; a waiter waits for it to move past the value
  // it read before unlocking, so a notify between its unlock and its wait
  // is not lost. Instrumented, its read and bump are steps of their own:
  // a notify that lands between a waiter's check of its condition and that
  // read is lost, as with std::condition_variable when the notifier does
  // not hold the mutex, and DPOR, sleep sets and the state key see the
  // counter like any shared value.
  Atomic<uint64_t> generation_;
};

#endif  // FAULTLINE_DISABLED

// The std spelling, for code that switches namespaces rather than types.
using condition_variable = CondVar;

#if defined(FAULTLINE_DISABLED)
}  // inline namespace compiled_out
#endif

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RUNTIME_CONDITION_VARIABLE_H_
