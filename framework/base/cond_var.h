// -----------------------------------------------------------------------------
// File: framework/base/cond_var.h
// -----------------------------------------------------------------------------
//
// base::CondVar: a std::condition_variable that waits on a base::Mutex, so
// that a field read in a wait loop can be ABSL_GUARDED_BY the mutex and
// Clang's -Wthread-safety analysis checks the loop. Like base::Mutex it is
// for the bookkeeping of real threads, never a scheduling point.
//
// Why not absl::CondVar: it waits only on an absl::Mutex, which TSAN does
// not see (mutex.h). Why not std::condition_variable_any over base::Mutex:
// it takes a second internal mutex on every wait and notify. CondVar hands
// the std::mutex inside base::Mutex to std::condition_variable directly, so
// TSAN sees the same pthread calls as with plain std:: types.
//
// Predicates are written as loops at the call site (the analysis does not
// follow a predicate lambda into the wait):
//
// Example:
//   base::MutexLock lock(&mu_);
//   while (finished_ < tasks_.size()) finished_cv_.Wait(&mu_);
//
// Thread-safety: Signal/SignalAll from any thread; Wait* with `mu` held.

#ifndef FAULTLINE_FRAMEWORK_BASE_COND_VAR_H_
#define FAULTLINE_FRAMEWORK_BASE_COND_VAR_H_

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "absl/base/thread_annotations.h"
#include "framework/base/mutex.h"

namespace faultline {
namespace base {

class CondVar {
 public:
  CondVar() = default;
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  // Releases `mu`, blocks until signalled (or a spurious wake-up), and holds
  // `mu` again on return.
  void Wait(Mutex* mu) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();  // still held; the caller's scope unlocks it
  }

  // As Wait, giving up at `deadline`. False if the deadline passed.
  template <typename Clock, typename Duration>
  bool WaitUntil(Mutex* mu,
                 const std::chrono::time_point<Clock, Duration>& deadline)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    const std::cv_status status = cv_.wait_until(lock, deadline);
    lock.release();
    return status == std::cv_status::no_timeout;
  }

  // As Wait, giving up after `timeout`. False if it passed.
  template <typename Rep, typename Period>
  bool WaitFor(Mutex* mu, const std::chrono::duration<Rep, Period>& timeout)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    const std::cv_status status = cv_.wait_for(lock, timeout);
    lock.release();
    return status == std::cv_status::no_timeout;
  }

  // Wakes one waiter / every waiter.
  void Signal() { cv_.notify_one(); }
  void SignalAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace base
}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_BASE_COND_VAR_H_
