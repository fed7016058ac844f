// The slow paths of the op.h hooks: forward to the backend running the
// current task.
#include "framework/runtime/op.h"

#include "framework/check.h"
#include "framework/runtime/internal/scheduler.h"

namespace faultline {
namespace internal {

const char* OpKindName(OpKind kind) {
  static constexpr const char* kNames[kOpKindCount] = {
      "load",   "store", "rmw",   "lock",     "trylock",
      "unlock", "wait",  "wake",  "rcu_lock", "spawn",
      "note",   "fault", "yield", "sleep",    "rcu_unlock"};
  const int index = static_cast<int>(kind);
  FL_CHECK(index >= 0 && index < kOpKindCount);
  return kNames[index];
}

void BeforeOpSlow(Scheduler* sched, OpKind kind, const void* object,
                  const char* label) {
  sched->BeforeOp(kind, object, label);
}

void OnCreateSlow(Scheduler* sched, const void* object) {
  sched->OnCreate(object);
}

void BeforeBitOpSlow(Scheduler* sched, OpKind kind, const void* object,
                     const char* label, int bit) {
  sched->BeforeBitOp(kind, object, label, bit);
}

void BeforeBitRmwSlow(Scheduler* sched, const void* object, const char* label,
                      int bit, const std::atomic<unsigned long>* word,
                      bool set) {
  sched->BeforeBitRmw(object, label, bit, word, set);
}

void BeforeAddOpSlow(Scheduler* sched, const void* object, const char* label) {
  sched->BeforeAddOp(object, label);
}

void BeforeRcuCallSlow(Scheduler* sched, const void* rcu, const char* label) {
  sched->BeforeRcuCall(rcu, label);
}

void AfterOpSlow(Scheduler* sched, const void* object, int64_t before,
                 int64_t after) {
  sched->AfterOp(object, before, after);
}

void AfterPointerOpSlow(Scheduler* sched, const void* object,
                        const void* before, const void* after) {
  sched->AfterPointerOp(object, before, after);
}

}  // namespace internal
}  // namespace faultline
