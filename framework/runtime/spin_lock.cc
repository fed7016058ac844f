// SpinLock: dispatch to the backend running the current task, or a plain
// spin lock with no backend (see spin_lock.h).
#include "framework/runtime/spin_lock.h"

#include <thread>

#include "framework/check.h"
#include "framework/internal/task_identity.h"
#include "framework/run_context.h"
#include "framework/runtime/internal/scheduler.h"

namespace faultline {
namespace {

uint32_t PlainOwnerId() {
  const TaskIdentity* task = CurrentTask();
  return task != nullptr && task->ordinal != 0 ? task->ordinal
                                               : internal::kNonTaskOwner;
}

}  // namespace

void SpinLock::Lock() {
  internal::Scheduler* sched = internal::CurrentScheduler();
  if (sched != nullptr) {
    sched->Lock(owner_, this, label_, kind_);
    FL_CHECK(owner_.load(std::memory_order_relaxed) != 0);
    return;
  }
  const uint32_t self = PlainOwnerId();
  for (int spins = 0;; ++spins) {
    uint32_t expected = 0;
    if (owner_.compare_exchange_weak(expected, self,
                                     std::memory_order_acquire)) {
      return;
    }
    if (spins > 64) std::this_thread::yield();
  }
}

bool SpinLock::TryLock() {
  internal::Scheduler* sched = internal::CurrentScheduler();
  if (sched != nullptr) return sched->TryLock(owner_, this, label_);
  uint32_t expected = 0;
  return owner_.compare_exchange_strong(expected, PlainOwnerId(),
                                        std::memory_order_acquire);
}

void SpinLock::Unlock() {
  internal::Scheduler* sched = internal::CurrentScheduler();
  if (sched != nullptr) {
    sched->Unlock(owner_, this, label_);
    return;
  }
  FL_CHECK(owner_.load(std::memory_order_relaxed) != 0);
  owner_.store(0, std::memory_order_release);
}

}  // namespace faultline
