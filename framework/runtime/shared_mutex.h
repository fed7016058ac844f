// -----------------------------------------------------------------------------
// File: shared_mutex.h
// -----------------------------------------------------------------------------
//
// faultline::SharedMutex: a readers-writer lock with std::shared_mutex's
// names (lock, unlock, try_lock, lock_shared, unlock_shared,
// try_lock_shared; std::shared_lock and std::unique_lock work with it) and
// Abseil's thread-safety annotations. ReaderMutexLock / WriterMutexLock
// hold it for a scope, visibly to -Wthread-safety.
//
// Built normally it is made of instrumented parts: a state word (an
// Atomic: -1 held exclusively, n > 0 held by n readers) and a WaitQueue,
// so under the fiber backend every acquisition and release is a scheduling
// point and a trace event, and a task that cannot get it blocks on the
// queue (a deadlock names the queue). It favours neither side, like
// std::shared_mutex promises nothing about fairness. Built with
// `--define faultline=off` it is a std::shared_mutex and nothing else.
//
// Example:
//   faultline::SharedMutex table_lock_{"pool.table"};
//   { faultline::ReaderMutexLock r(&table_lock_); lookup(); }
//   { faultline::WriterMutexLock w(&table_lock_); insert(); }
//
// Thread-safety: all members are thread-safe.

#ifndef FAULTLINE_FRAMEWORK_RUNTIME_SHARED_MUTEX_H_
#define FAULTLINE_FRAMEWORK_RUNTIME_SHARED_MUTEX_H_

#include <cstdint>
#include <shared_mutex>

#include "absl/base/thread_annotations.h"

#if !defined(FAULTLINE_DISABLED)
#include "framework/runtime/atomic.h"
#include "framework/runtime/wait_queue.h"
#endif

namespace faultline {

#if defined(FAULTLINE_DISABLED)
// See atomic.h: compiled-out types never share a symbol with instrumented
// ones.
inline namespace compiled_out {

class ABSL_LOCKABLE SharedMutex {
 public:
  SharedMutex() = default;
  explicit SharedMutex(const char* /*label*/) {}
  SharedMutex(const SharedMutex&) = delete;
  SharedMutex& operator=(const SharedMutex&) = delete;

  void lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  bool try_lock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) {
    return mu_.try_lock();
  }
  void unlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }
  void lock_shared() ABSL_SHARED_LOCK_FUNCTION() { mu_.lock_shared(); }
  bool try_lock_shared() ABSL_SHARED_TRYLOCK_FUNCTION(true) {
    return mu_.try_lock_shared();
  }
  void unlock_shared() ABSL_UNLOCK_FUNCTION() { mu_.unlock_shared(); }

 private:
  std::shared_mutex mu_;
};

#else  // !FAULTLINE_DISABLED

class ABSL_LOCKABLE SharedMutex {
 public:
  SharedMutex() : SharedMutex("shared_mutex") {}
  explicit SharedMutex(const char* label) : state_(0, label), queue_(label) {}
  SharedMutex(const SharedMutex&) = delete;
  SharedMutex& operator=(const SharedMutex&) = delete;

  void lock() ABSL_EXCLUSIVE_LOCK_FUNCTION();
  bool try_lock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true);
  void unlock() ABSL_UNLOCK_FUNCTION();
  void lock_shared() ABSL_SHARED_LOCK_FUNCTION();
  bool try_lock_shared() ABSL_SHARED_TRYLOCK_FUNCTION(true);
  void unlock_shared() ABSL_UNLOCK_FUNCTION();

  // Uninstrumented, for invariants and state probes: -1 held exclusively,
  // n > 0 held by n readers, 0 free.
  int64_t PeekState() const { return state_.Peek(); }

 private:
  Atomic<int64_t> state_;
  WaitQueue queue_;
};

#endif  // FAULTLINE_DISABLED

// Hold a SharedMutex for a scope, shared or exclusive.
class ABSL_SCOPED_LOCKABLE ReaderMutexLock {
 public:
  explicit ReaderMutexLock(SharedMutex* mu) ABSL_SHARED_LOCK_FUNCTION(mu)
      : mu_(mu) {
    mu_->lock_shared();
  }
  ~ReaderMutexLock() ABSL_UNLOCK_FUNCTION() { mu_->unlock_shared(); }
  ReaderMutexLock(const ReaderMutexLock&) = delete;
  ReaderMutexLock& operator=(const ReaderMutexLock&) = delete;

 private:
  SharedMutex* const mu_;
};

class ABSL_SCOPED_LOCKABLE WriterMutexLock {
 public:
  explicit WriterMutexLock(SharedMutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu)
      : mu_(mu) {
    mu_->lock();
  }
  ~WriterMutexLock() ABSL_UNLOCK_FUNCTION() { mu_->unlock(); }
  WriterMutexLock(const WriterMutexLock&) = delete;
  WriterMutexLock& operator=(const WriterMutexLock&) = delete;

 private:
  SharedMutex* const mu_;
};

// The std spelling, for code that switches namespaces rather than types.
using shared_mutex = SharedMutex;

#if defined(FAULTLINE_DISABLED)
}  // inline namespace compiled_out
#endif

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RUNTIME_SHARED_MUTEX_H_
