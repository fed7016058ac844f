// -----------------------------------------------------------------------------
// File: framework/base/spin_mutex.h
// -----------------------------------------------------------------------------
//
// base::SpinMutex: a test-and-test-and-set lock for bookkeeping that one
// thread takes at every scheduling step and other threads take rarely and
// briefly (a model's index of its objects). Uncontended it is one exchange
// and one store, against a std::mutex's two calls into pthreads (about 55
// instructions a lock and unlock: BENCHMARKS.md, "Seed scenario
// throughput"). Like base::Mutex it is not an instrumented model lock:
// taking it is never a scheduling point.
//
// ThreadSanitizer sees it: it is made of std::atomic operations with
// acquire and release order, which TSAN models natively (unlike the system
// absl::Mutex; base/mutex.h). A waiter spins on a plain load and yields the
// thread, so hold it only for a few instructions; use base::Mutex for
// anything longer or anything that waits.
//
// Example:
//   mutable base::SpinMutex mu_;
//   absl::flat_hash_map<const void*, Target> targets_ ABSL_GUARDED_BY(mu_);
//   ...
//   base::SpinMutexLock lock(&mu_);
//   targets_[field] = target;
//
// Thread-safety: Lock/Unlock are thread-safe.

#ifndef FAULTLINE_FRAMEWORK_BASE_SPIN_MUTEX_H_
#define FAULTLINE_FRAMEWORK_BASE_SPIN_MUTEX_H_

#include <atomic>
#include <thread>

#include "absl/base/thread_annotations.h"

namespace faultline {
namespace base {

class ABSL_LOCKABLE SpinMutex {
 public:
  SpinMutex() = default;
  SpinMutex(const SpinMutex&) = delete;
  SpinMutex& operator=(const SpinMutex&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() {
    while (held_.exchange(true, std::memory_order_acquire)) {
      while (held_.load(std::memory_order_relaxed)) std::this_thread::yield();
    }
  }
  void Unlock() ABSL_UNLOCK_FUNCTION() {
    held_.store(false, std::memory_order_release);
  }

 private:
  std::atomic<bool> held_{false};
};

// Holds `mu` for the scope.
class ABSL_SCOPED_LOCKABLE SpinMutexLock {
 public:
  explicit SpinMutexLock(SpinMutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu)
      : mu_(mu) {
    mu_->Lock();
  }
  ~SpinMutexLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  SpinMutexLock(const SpinMutexLock&) = delete;
  SpinMutexLock& operator=(const SpinMutexLock&) = delete;

 private:
  SpinMutex* const mu_;
};

}  // namespace base
}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_BASE_SPIN_MUTEX_H_
