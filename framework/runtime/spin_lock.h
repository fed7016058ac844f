// -----------------------------------------------------------------------------
// File: spin_lock.h
// -----------------------------------------------------------------------------
//
// Instrumented spin lock (spin_lock_t). Under the fiber backend a task that
// finds the lock held is blocked on it (not runnable) until the holder unlocks,
// so an all-tasks-blocked state is reported as a deadlock naming who waits for
// what and who holds it. Under the thread backend they are real locks.
// TryLock never blocks. ABSL_LOCKABLE for -Wthread-safety. Outside any
// backend it is a plain spin lock (spinning with yield). faultline::Mutex,
// the sleeping lock with std::mutex's names, is in mutex.h (included here
// for code that found it in this header before).
//
// Example:
//   faultline::SpinLock refs_lock{"eb.refs_lock"};
//   refs_lock.Lock();  ...  refs_lock.Unlock();
//   { faultline::SpinLockGuard guard(&refs_lock); ... }
//
// Thread-safety: all members are thread-safe.

#ifndef FAULTLINE_FRAMEWORK_RUNTIME_SPIN_LOCK_H_
#define FAULTLINE_FRAMEWORK_RUNTIME_SPIN_LOCK_H_

#include <atomic>
#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "framework/runtime/op.h"

namespace faultline {

class ABSL_LOCKABLE SpinLock {
 public:
  // Not constexpr: DPOR names a lock by the task that created it (op.h
  // OnCreate).
  explicit SpinLock(const char* label = "spinlock") : label_(label) {
    internal::OnCreate(this);
  }
  // `kind` names the lock in deadlock reports ("mutex" for Mutex).
  SpinLock(const char* label, const char* kind) : label_(label), kind_(kind) {
    internal::OnCreate(this);
  }
  SpinLock(const SpinLock&) = delete;
  SpinLock& operator=(const SpinLock&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION();
  // True if acquired.
  bool TryLock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true);
  void Unlock() ABSL_UNLOCK_FUNCTION();

  // Uninstrumented, for invariants and state probes: the holder's task
  // ordinal, 0 if free, or 0xffffffff if held by code outside any task.
  uint32_t PeekOwner() const { return owner_.load(std::memory_order_relaxed); }
  bool PeekLocked() const { return PeekOwner() != 0; }
  const char* label() const { return label_; }

 private:
  std::atomic<uint32_t> owner_{0};  // see PeekOwner()
  const char* label_;
  const char* kind_ = "spinlock";  // for deadlock reports
};

class ABSL_SCOPED_LOCKABLE SpinLockGuard {
 public:
  explicit SpinLockGuard(SpinLock* lock) ABSL_EXCLUSIVE_LOCK_FUNCTION(lock)
      : lock_(lock) {
    lock_->Lock();
  }
  ~SpinLockGuard() ABSL_UNLOCK_FUNCTION() { lock_->Unlock(); }
  SpinLockGuard(const SpinLockGuard&) = delete;
  SpinLockGuard& operator=(const SpinLockGuard&) = delete;

 private:
  SpinLock* lock_;
};

}  // namespace faultline

// Mutex was declared here once; code that includes only this header keeps
// finding it.
#include "framework/runtime/mutex.h"  // IWYU pragma: export

#endif  // FAULTLINE_FRAMEWORK_RUNTIME_SPIN_LOCK_H_
