// -----------------------------------------------------------------------------
// File: internal/scheduler.h
// -----------------------------------------------------------------------------
//
// The seam between the instrumented primitives (atomic.h, spin_lock.h,
// wait_queue.h, rcu.h, this_task.h, world.h) and the backend running the
// current task. Primitives ask CurrentScheduler() (op.h); with none they act
// as plain primitives, otherwise they call the backend through this
// interface, so the same model code runs under fibers and threads without
// recompiling. Not part of the public API.
//
// Thread-safety: the fiber backend is called from one OS thread; the thread
// backend from every task thread.

#ifndef FAULTLINE_FRAMEWORK_RUNTIME_INTERNAL_SCHEDULER_H_
#define FAULTLINE_FRAMEWORK_RUNTIME_INTERNAL_SCHEDULER_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "framework/runtime/op.h"

namespace faultline {

class World;
class Rcu;

namespace internal {

// Lock word value for a lock held by code that is not a task (plain use).
inline constexpr uint32_t kNonTaskOwner = 0xffffffffu;

class Scheduler {
 public:
  virtual ~Scheduler() = default;

  // op.h hooks: a scheduling point before the operation, a trace event
  // after it.
  virtual void BeforeOp(OpKind kind, const void* object, const char* label) = 0;
  virtual void AfterOp(const void* object, int64_t before, int64_t after) = 0;
  // op.h BeforeBitOp: BeforeOp for an operation on one bit of the object.
  virtual void BeforeBitOp(OpKind kind, const void* object, const char* label,
                           int bit) {
    BeforeOp(kind, object, label);
  }
  // op.h BeforeBitRmw: BeforeBitOp(kRmw) for a set or clear of one bit.
  virtual void BeforeBitRmw(const void* object, const char* label, int bit,
                            const std::atomic<unsigned long>* word, bool set) {
    BeforeBitOp(OpKind::kRmw, object, label, bit);
  }
  // op.h BeforeAddOp: BeforeOp(kRmw) for an add whose result is discarded.
  virtual void BeforeAddOp(const void* object, const char* label) {
    BeforeOp(OpKind::kRmw, object, label);
  }
  // op.h BeforeRcuCall: BeforeOp(kRcuRead) for call_rcu.
  virtual void BeforeRcuCall(const void* rcu, const char* label) {
    BeforeOp(OpKind::kRcuRead, rcu, label);
  }
  // Who queues an RCU callback, as state caching names it: the queueing
  // task's state (0 = not tracked). Rcu keeps it with the callback.
  virtual uint64_t CallbackOrigin() { return 0; }
  // op.h OnCreate: an instrumented object was constructed.
  virtual void OnCreate(const void* object) {}
  // AfterOp for an atomic holding pointers; backends that record values
  // map the pointers to stable trace object ids.
  virtual void AfterPointerOp(const void* object, const void* before,
                              const void* after) {
    AfterOp(object, 0, 0);
  }

  // Locks. `owner` is the lock word: 0 free, else the holder's ordinal.
  // `kind` ("spinlock", "mutex") is for deadlock reports.
  virtual void Lock(std::atomic<uint32_t>& owner, const void* lock,
                    const char* label, const char* kind) = 0;
  virtual bool TryLock(std::atomic<uint32_t>& owner, const void* lock,
                       const char* label) = 0;
  virtual void Unlock(std::atomic<uint32_t>& owner, const void* lock,
                      const char* label) = 0;

  // Wait queues: blocks until ready() (re-checked after every WakeAll on
  // `queue`) or `timeout_ns` passed (< 0: no timeout). Returns ready().
  virtual bool Wait(const void* queue, const char* label,
                    absl::FunctionRef<bool()> ready, int64_t timeout_ns) = 0;
  virtual void WakeAll(const void* queue, const char* label) = 0;

  // this_task.
  virtual void SleepFor(int64_t ns) = 0;
  virtual void Yield() = 0;
  virtual int64_t NowNs() const = 0;
  virtual void Note(absl::string_view text) = 0;
  virtual std::string CurrentTaskName() const = 0;

  // World::Spawn from a running task (tasks spawned while building are
  // started by the backend after the build).
  virtual void OnSpawn(World& world) = 0;

  // RCU. The fiber backend polls registered instances at every step; other
  // modes poll when the last reader leaves.
  virtual void RegisterRcu(Rcu* rcu) = 0;
  virtual void UnregisterRcu(Rcu* rcu) = 0;
  virtual bool PollsRcu() const = 0;

  // Throws IterationAborted if the iteration is being aborted and the
  // caller is not already unwinding. For waits outside the backend's
  // control (e.g. the thread backend's spin loops).
  virtual void CheckAbort() = 0;
};

// Installs `scheduler` as this thread's CurrentScheduler() for the scope.
class ScopedScheduler {
 public:
  explicit ScopedScheduler(Scheduler* scheduler) : previous_(tls_scheduler) {
    tls_scheduler = scheduler;
  }
  ~ScopedScheduler() { tls_scheduler = previous_; }
  ScopedScheduler(const ScopedScheduler&) = delete;
  ScopedScheduler& operator=(const ScopedScheduler&) = delete;

 private:
  Scheduler* previous_;
};

}  // namespace internal
}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RUNTIME_INTERNAL_SCHEDULER_H_
