// -----------------------------------------------------------------------------
// File: framework/base/mutex.h
// -----------------------------------------------------------------------------
//
// base::Mutex: a std::mutex that Clang's -Wthread-safety analysis can
// follow, for the locks real threads take around bookkeeping (the run's
// counters and violations, a World's objects, a model's arenas). It is not
// an instrumented model lock: taking it is never a scheduling point (model
// code uses faultline::SpinLock / faultline::Mutex for that).
//
// Why not absl::Mutex, which is annotated already: the system absl is not
// built with ThreadSanitizer, so TSAN would not see its locking and would
// report the data it guards as raced (docs/runtime.md). base::Mutex holds a
// std::mutex and calls it directly, so TSAN sees every lock and unlock, and
// adds only the annotations, so fields can say ABSL_GUARDED_BY(mu_).
//
// Example:
//   mutable base::Mutex mu_;
//   std::vector<Violation> violations_ ABSL_GUARDED_BY(mu_);
//   ...
//   base::MutexLock lock(&mu_);
//   violations_.push_back(v);
//
// To wait for a condition under it: base::CondVar (cond_var.h).
//
// Thread-safety: Lock/Unlock/TryLock are thread-safe (std::mutex).

#ifndef FAULTLINE_FRAMEWORK_BASE_MUTEX_H_
#define FAULTLINE_FRAMEWORK_BASE_MUTEX_H_

#include <mutex>

#include "absl/base/thread_annotations.h"

namespace faultline {
namespace base {

class CondVar;

class ABSL_LOCKABLE Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  // True if acquired; never blocks.
  bool TryLock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) {
    return mu_.try_lock();
  }
  void Unlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }

 private:
  friend class CondVar;  // waits on mu_ itself (cond_var.h)
  std::mutex mu_;
};

// Holds `mu` for the scope (std::lock_guard, visible to the analysis).
class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) {
    mu_->Lock();
  }
  ~MutexLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

}  // namespace base
}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_BASE_MUTEX_H_
