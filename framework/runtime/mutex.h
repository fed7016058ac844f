// -----------------------------------------------------------------------------
// File: mutex.h
// -----------------------------------------------------------------------------
//
// faultline::Mutex: a sleeping lock (a page lock, a struct mutex, a buffer
// pool's latch) that production code can use in place of std::mutex. It has
// std::mutex's names (lock, unlock, try_lock: std::lock_guard and
// std::unique_lock work with it), the kernel-style ones (Lock, Unlock,
// TryLock), and Abseil's thread-safety annotations, so fields can say
// ABSL_GUARDED_BY(mu_) and clang -Wthread-safety checks them.
// faultline::MutexLock holds one for a scope, visibly to the analysis.
//
// Built normally it is instrumented like SpinLock: under the fiber backend
// a task that finds it held is blocked (not runnable) until the holder
// unlocks, and a state where every task is blocked is reported as a
// deadlock naming who waits for what; under the thread backend and outside
// any run it is a real lock. Built with `--define faultline=off` it is a
// std::mutex and nothing else (same size, alignment and code; the label is
// dropped at compile time).
//
// Example:
//   faultline::Mutex latch_{"pool.latch"};
//   int pinned_ ABSL_GUARDED_BY(latch_) = 0;
//   { faultline::MutexLock lock(&latch_); ++pinned_; }
//
// Thread-safety: all members are thread-safe.

#ifndef FAULTLINE_FRAMEWORK_RUNTIME_MUTEX_H_
#define FAULTLINE_FRAMEWORK_RUNTIME_MUTEX_H_

#include <cstdint>
#include <mutex>

#include "absl/base/thread_annotations.h"

#if !defined(FAULTLINE_DISABLED)
#include "framework/runtime/spin_lock.h"
#endif

namespace faultline {

#if defined(FAULTLINE_DISABLED)
// See atomic.h: compiled-out types never share a symbol with instrumented
// ones.
inline namespace compiled_out {

class ABSL_LOCKABLE Mutex {
 public:
  constexpr Mutex() noexcept = default;
  constexpr explicit Mutex(const char* /*label*/) noexcept {}
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  bool try_lock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) {
    return mu_.try_lock();
  }
  void unlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }
  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  bool TryLock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) {
    return mu_.try_lock();
  }
  void Unlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }

  // The std::mutex itself, for CondVar.
  std::mutex& native() { return mu_; }

 private:
  std::mutex mu_;
};

#else  // !FAULTLINE_DISABLED

class ABSL_LOCKABLE Mutex {
 public:
  Mutex() : lock_("mutex", "mutex") {}
  explicit Mutex(const char* label) : lock_(label, "mutex") {}
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { lock_.Lock(); }
  bool try_lock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) {
    return lock_.TryLock();
  }
  void unlock() ABSL_UNLOCK_FUNCTION() { lock_.Unlock(); }
  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { lock_.Lock(); }
  bool TryLock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) {
    return lock_.TryLock();
  }
  void Unlock() ABSL_UNLOCK_FUNCTION() { lock_.Unlock(); }

  // Uninstrumented, for invariants and state probes (instrumented builds
  // only): the holder's task ordinal, 0 if free.
  uint32_t PeekOwner() const { return lock_.PeekOwner(); }
  bool PeekLocked() const { return lock_.PeekLocked(); }
  const char* label() const { return lock_.label(); }

 private:
  SpinLock lock_;
};

#endif  // FAULTLINE_DISABLED

// Holds `mu` for the scope (std::lock_guard, visible to the analysis).
class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) {
    mu_->lock();
  }
  ~MutexLock() ABSL_UNLOCK_FUNCTION() { mu_->unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

// The std spelling, for code that switches namespaces rather than types.
using mutex = Mutex;

#if defined(FAULTLINE_DISABLED)
}  // inline namespace compiled_out
#endif

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RUNTIME_MUTEX_H_
