// -----------------------------------------------------------------------------
// File: rcu.h
// -----------------------------------------------------------------------------
//
// An RCU-style read section with deferred free, enough to model lock-free
// lookups (radix tree under rcu_read_lock) and call_rcu frees. A callback
// given to CallRcu() runs once every read section that was open when it was
// queued has closed: at the first scheduling step where that holds under the
// fiber backend, or at the next Synchronize()/quiescence otherwise. Objects
// freed this way can be marked dead instead of released, so a later access
// is reported as a use-after-free Violation rather than being undefined
// behaviour (the model decides; see btrfs_eb).
//
// Example:
//   faultline::Rcu rcu;
//   { faultline::RcuReadGuard guard(&rcu); eb = radix.Lookup(start); ... }
//   rcu.CallRcu([eb] { eb->freed = true; });
//
// Thread-safety: all members are thread-safe. Callbacks run with no lock
// held, on whichever task (or thread) polls.

#ifndef FAULTLINE_FRAMEWORK_RUNTIME_RCU_H_
#define FAULTLINE_FRAMEWORK_RUNTIME_RCU_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "framework/base/mutex.h"
#include "framework/runtime/op.h"

namespace faultline {

class ABSL_LOCKABLE Rcu {
 public:
  explicit Rcu(const char* label = "rcu");
  ~Rcu();  // runs callbacks still pending
  Rcu(const Rcu&) = delete;
  Rcu& operator=(const Rcu&) = delete;

  // rcu_read_lock / rcu_read_unlock: a shared hold, so the analysis
  // checks that every section is closed on every path.
  void ReadLock() ABSL_SHARED_LOCK_FUNCTION();
  void ReadUnlock() ABSL_UNLOCK_FUNCTION();
  void CallRcu(std::function<void()> callback);
  // Runs every callback whose grace period has ended; backends call it at
  // scheduling steps and at quiescence.
  void Poll();
  // Waits until every read section open now has closed (yielding), then
  // runs the callbacks that became due: synchronize_rcu + rcu_barrier.
  void Synchronize() ABSL_LOCKS_EXCLUDED(this);

  int PeekReaders() const;
  // Readers, and each queued callback's origin and whether it waits for
  // the readers inside: what a state cache must tell apart (the epoch
  // count itself never decides anything).
  uint64_t StateHash() const;
  // Callbacks queued and not yet run (uninstrumented, for the scheduler).
  size_t PeekPending() const;

 private:
  struct Pending {
    uint64_t after_epoch;
    std::function<void()> callback;
    uint64_t origin;  // Scheduler::CallbackOrigin() when queued
  };
  // Grace periods here are conservative: a callback runs after the reader
  // count has dropped to zero once since it was queued (epoch_ counts those
  // moments), which includes every section open when it was queued.
  const char* label_;
  internal::Scheduler* polled_by_ = nullptr;  // registered with this backend
  // A base::Mutex: a std::mutex, which TSAN sees (run_context.h).
  mutable base::Mutex mu_;
  int readers_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t epoch_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<Pending> pending_ ABSL_GUARDED_BY(mu_);
  // pending_.size(), stored under mu_: the fiber backend polls at every
  // step, and most steps have nothing queued, so Poll() reads this instead
  // of taking mu_. A Poll racing a CallRcu on another thread may miss the
  // new callback, as if it had run first; the next poll runs it.
  std::atomic<size_t> queued_{0};
};

class ABSL_SCOPED_LOCKABLE RcuReadGuard {
 public:
  explicit RcuReadGuard(Rcu* rcu) ABSL_SHARED_LOCK_FUNCTION(rcu) : rcu_(rcu) {
    rcu_->ReadLock();
  }
  ~RcuReadGuard() ABSL_UNLOCK_FUNCTION() { rcu_->ReadUnlock(); }
  RcuReadGuard(const RcuReadGuard&) = delete;
  RcuReadGuard& operator=(const RcuReadGuard&) = delete;

 private:
  Rcu* rcu_;
};

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RUNTIME_RCU_H_
