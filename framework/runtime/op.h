// -----------------------------------------------------------------------------
// File: op.h
// -----------------------------------------------------------------------------
//
// The hook every instrumented primitive calls around its operation. Under the
// fiber backend BeforeOp() is a scheduling point (the strategy may run another
// task first) and AfterOp() appends a trace event with the values before and
// after; the step's footprint (object, read or write) feeds the partial-order
// reduction. With no scheduler on the thread both are one thread-local load
// and a branch.

#ifndef FAULTLINE_FRAMEWORK_RUNTIME_OP_H_
#define FAULTLINE_FRAMEWORK_RUNTIME_OP_H_

#include <atomic>
#include <cstdint>

#include "absl/base/optimization.h"

namespace faultline {
namespace internal {

enum class OpKind : uint8_t {
  kLoad,   // reads object
  kStore,  // writes object
  kRmw,    // reads and writes object
  kLock,   // acquires object (may block)
  kTryLock,
  kUnlock,
  kWait,  // blocks on object until woken
  kWake,
  kRcuRead,  // rcu_read_lock (and call_rcu)
  kSpawn,
  kNote,       // model annotation (no shared access)
  kFault,      // fault point hit
  kYield,      // this_task::Yield (no shared access)
  kSleep,      // this_task::SleepFor (no shared access)
  kRcuUnlock,  // rcu_read_unlock
};
inline constexpr int kOpKindCount = 15;

// A short lowercase name ("load", "lock", ...) for traces.
const char* OpKindName(OpKind kind);

class Scheduler;  // framework/runtime/internal/scheduler.h

// The scheduler of the task running on this thread; set by backends for the
// whole iteration on every thread they run tasks on.
inline thread_local Scheduler* tls_scheduler = nullptr;

// The scheduler running the current task on this thread, or nullptr.
inline Scheduler* CurrentScheduler() { return tls_scheduler; }

void BeforeOpSlow(Scheduler* sched, OpKind kind, const void* object,
                  const char* label);
void OnCreateSlow(Scheduler* sched, const void* object);
void BeforeBitOpSlow(Scheduler* sched, OpKind kind, const void* object,
                     const char* label, int bit);
void BeforeRcuCallSlow(Scheduler* sched, const void* rcu, const char* label);
void BeforeBitRmwSlow(Scheduler* sched, const void* object, const char* label,
                      int bit, const std::atomic<unsigned long>* word,
                      bool set);
void BeforeAddOpSlow(Scheduler* sched, const void* object, const char* label);
void AfterOpSlow(Scheduler* sched, const void* object, int64_t before,
                 int64_t after);

// For atomics that hold pointers: the trace records the pointees' stable
// object ids (order of first appearance), never raw addresses, so trace
// hashes do not depend on where the allocator put things.
void AfterPointerOpSlow(Scheduler* sched, const void* object,
                        const void* before, const void* after);

inline void BeforeOp(OpKind kind, const void* object, const char* label) {
  Scheduler* sched = CurrentScheduler();
  if (ABSL_PREDICT_FALSE(sched != nullptr)) {
    BeforeOpSlow(sched, kind, object, label);
  }
}

// Instrumented objects announce their construction: DPOR names an object by
// who created it (the task and its creation count), which, unlike the order
// of first use, is the same in every schedule that runs the same steps.
inline void OnCreate(const void* object) {
  Scheduler* sched = CurrentScheduler();
  if (ABSL_PREDICT_FALSE(sched != nullptr)) OnCreateSlow(sched, object);
}

// BeforeOp for an operation that reads or writes only bit `bit` of the
// object's value (AtomicFlags bit operations): DPOR lets operations on
// different bits of one word commute.
inline void BeforeBitOp(OpKind kind, const void* object, const char* label,
                        int bit) {
  Scheduler* sched = CurrentScheduler();
  if (ABSL_PREDICT_FALSE(sched != nullptr)) {
    BeforeBitOpSlow(sched, kind, object, label, bit);
  }
}

// BeforeBitOp(kRmw) for an operation that sets (`set`) or clears bit `bit`
// of `word`: when the bit already has that value the operation changes
// nothing, and DPOR counts it as a read (a test_and_set_bit on a locked
// page's PG_locked fails like a trylock on a held lock).
inline void BeforeBitRmw(const void* object, const char* label, int bit,
                         const std::atomic<unsigned long>* word, bool set) {
  Scheduler* sched = CurrentScheduler();
  if (ABSL_PREDICT_FALSE(sched != nullptr)) {
    BeforeBitRmwSlow(sched, object, label, bit, word, set);
  }
}

// BeforeOp(kRmw) for an add or subtract whose result the caller discards
// (Atomic Inc / Dec): DPOR lets two of them on one object commute.
inline void BeforeAddOp(const void* object, const char* label) {
  Scheduler* sched = CurrentScheduler();
  if (ABSL_PREDICT_FALSE(sched != nullptr)) {
    BeforeAddOpSlow(sched, object, label);
  }
}

// BeforeOp(kRcuRead) for call_rcu: a callback may run right after it (no
// reader inside), touching anything; a read lock touches only the Rcu.
inline void BeforeRcuCall(const void* rcu, const char* label) {
  Scheduler* sched = CurrentScheduler();
  if (ABSL_PREDICT_FALSE(sched != nullptr)) {
    BeforeRcuCallSlow(sched, rcu, label);
  }
}

inline void AfterOp(const void* object, int64_t before, int64_t after) {
  Scheduler* sched = CurrentScheduler();
  if (ABSL_PREDICT_FALSE(sched != nullptr)) {
    AfterOpSlow(sched, object, before, after);
  }
}

inline void AfterPointerOp(const void* object, const void* before,
                           const void* after) {
  Scheduler* sched = CurrentScheduler();
  if (ABSL_PREDICT_FALSE(sched != nullptr)) {
    AfterPointerOpSlow(sched, object, before, after);
  }
}

}  // namespace internal
}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RUNTIME_OP_H_
