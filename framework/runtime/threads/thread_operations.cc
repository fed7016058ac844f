// The thread backend's side of the primitives, this_task and the Executor:
// real spinning with backoff, condition-variable waits, real sleeps, and an
// abort check everywhere a task may wait (see thread_scheduler.h).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <initializer_list>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "framework/check.h"
#include "framework/rule.h"
#include "framework/runtime/internal/deadline.h"
#include "framework/runtime/threads/thread_scheduler.h"
#include "framework/site_registry.h"

namespace faultline {
namespace internal {
namespace {

// Spin briefly, then yield, then sleep: a holder preempted by the OS gets
// the CPU back, and 2-core machines are not saturated.
void Backoff(int spins) {
  if (spins < 64) return;
  if (spins < 1024) {
    std::this_thread::yield();
    return;
  }
  std::this_thread::sleep_for(std::chrono::microseconds(50));
}

// The operation a thread announced in BeforeOp, for the event its AfterOp
// (or the lock code) appends. Each thread has its own: task threads and the
// controller that builds the world and checks quiescence.
struct PendingOp {
  const void* object = nullptr;
  const char* label = "";
  OpKind kind = OpKind::kNote;
  uint64_t step = 0;
};
thread_local PendingOp tls_pending_op;

}  // namespace

void ThreadScheduler::BeforeOp(OpKind kind, const void* object,
                               const char* label) {
  const uint64_t step = ops_.fetch_add(1, std::memory_order_relaxed) + 1;
  if (record_ops_) tls_pending_op = {object, label, kind, step};
  // Releases may run in destructors: never throw there.
  if (kind != OpKind::kUnlock && kind != OpKind::kWake &&
      kind != OpKind::kRcuUnlock) {
    CheckAbort();
  }
}

void ThreadScheduler::Lock(std::atomic<uint32_t>& owner, const void* lock,
                           const char* label, const char* kind) {
  BeforeOp(OpKind::kLock, lock, label);
  const uint32_t self = LockHolderId();
  uint32_t expected = 0;
  if (owner.compare_exchange_strong(expected, self,
                                    std::memory_order_acquire)) {
    RecordOp(lock, 0, self);
    return;
  }
  if (CurrentThreadTask() == nullptr) {
    // The controller (build or quiescence checks) runs while no task does,
    // so nobody would release the lock: a leaked lock is reported, not
    // spun on forever.
    const uint32_t holder = owner.load(std::memory_order_relaxed);
    if (holder != 0 && !aborting_.load()) {
      ReportModelError(
          "deadlock",
          absl::StrCat("the controller (build or quiescence) waits for ", kind,
                       " '", label, "' held by task #", holder,
                       "; checks must not block"));
    }
    owner.store(self, std::memory_order_relaxed);
    RecordOp(lock, holder, self);
    return;
  }
  WaitingMark mark(CurrentThreadTask(), kind, label, &owner);
  for (int spins = 0;; ++spins) {
    expected = 0;
    if (owner.compare_exchange_weak(expected, self,
                                    std::memory_order_acquire)) {
      RecordOp(lock, 0, self);
      return;
    }
    // An unwinding task takes the lock anyway: it only releases things.
    if (aborting_.load(std::memory_order_relaxed)) {
      CheckAbort();
      if (std::uncaught_exceptions() > 0 && spins > 1024) return;
    }
    Backoff(spins);
  }
}

bool ThreadScheduler::TryLock(std::atomic<uint32_t>& owner, const void* lock,
                              const char* label) {
  BeforeOp(OpKind::kTryLock, lock, label);
  const uint32_t self = LockHolderId();
  uint32_t seen = 0;
  const bool ok =
      owner.compare_exchange_strong(seen, self, std::memory_order_acquire);
  RecordOp(lock, seen, ok ? self : seen);
  return ok;
}

void ThreadScheduler::Unlock(std::atomic<uint32_t>& owner, const void* lock,
                             const char* label) {
  BeforeOp(OpKind::kUnlock, lock, label);
  const uint32_t holder = owner.load(std::memory_order_relaxed);
  if (holder != LockHolderId() && !aborting_.load()) {
    ReportModelError("lock.unlock_not_owner",
                     absl::StrCat("'", label, "' unlocked by ",
                                  CurrentTaskName(), " but held by #", holder));
  }
  owner.store(0, std::memory_order_release);
  RecordOp(lock, holder, 0);
}

bool ThreadScheduler::Wait(const void* queue, const char* label,
                           absl::FunctionRef<bool()> ready,
                           int64_t timeout_ns) {
  BeforeOp(OpKind::kWait, queue, label);
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline =
      timeout_ns < 0 ? Clock::time_point::max()
                     : RealDeadline(Clock::now(), timeout_ns);
  WaitingMark mark(CurrentThreadTask(), "wait_queue", label, nullptr);
  for (;;) {
    const uint64_t generation = wake_generation_.load();
    if (ready()) {
      RecordOp(queue, 0, 0);
      return true;
    }
    const Clock::time_point now = Clock::now();
    if (now >= deadline) return ready();
    CheckAbort();
    if (aborting_.load() && std::uncaught_exceptions() > 0) return ready();
    base::MutexLock lock(&wait_mu_);
    if (wake_generation_.load() == generation) {
      // Also re-check periodically: conditions may change without a wake.
      wait_cv_.WaitUntil(
          &wait_mu_, std::min(deadline, now + std::chrono::milliseconds(1)));
    }
  }
}

void ThreadScheduler::WakeAll(const void* queue, const char* label) {
  BeforeOp(OpKind::kWake, queue, label);
  RecordOp(queue, 0, 0);
  Broadcast();
}

void ThreadScheduler::Broadcast() {
  base::MutexLock lock(&wait_mu_);
  wake_generation_.fetch_add(1);
  wait_cv_.SignalAll();
}

void ThreadScheduler::SleepFor(int64_t ns) {
  BeforeOp(OpKind::kSleep, nullptr, "sleep");
  const auto end = RealDeadline(std::chrono::steady_clock::now(), ns);
  // Sleep in slices so an abort is noticed.
  while (std::chrono::steady_clock::now() < end) {
    CheckAbort();
    if (aborting_.load()) return;
    const auto left = end - std::chrono::steady_clock::now();
    std::this_thread::sleep_for(
        std::min<std::chrono::nanoseconds>(left, std::chrono::milliseconds(1)));
  }
}

void ThreadScheduler::AfterOp(const void* object, int64_t before,
                              int64_t after) {
  RecordOp(object, before, after);
}

void ThreadScheduler::AfterPointerOp(const void* object, const void* before,
                                     const void* after) {
  RecordOp(object, reinterpret_cast<intptr_t>(before),
           reinterpret_cast<intptr_t>(after), /*pointees=*/true);
}

void ThreadScheduler::RecordOp(const void* object, int64_t before,
                               int64_t after, bool pointees) {
  if (!record_ops_ || tls_pending_op.object != object) return;
  const PendingOp op = tls_pending_op;
  tls_pending_op.object = nullptr;  // one event per BeforeOp
  const uint32_t task = CurrentTask() != nullptr ? CurrentTask()->ordinal : 0;
  base::MutexLock lock(&mu_);
  if (pointees) {
    // Pointees become trace object ids (order of first appearance), never
    // addresses, as under fibers; ids need mu_, so they are taken here.
    for (int64_t* p : {&before, &after}) {
      if (*p == 0) continue;
      *p = recorder_.ObjectId(reinterpret_cast<const void*>(*p), "pointee");
    }
  }
  recorder_.Op(op.step, task, op.kind, recorder_.ObjectId(object, op.label),
               before, after);
}

void ThreadScheduler::Yield() {
  BeforeOp(OpKind::kYield, nullptr, "yield");
  std::this_thread::yield();
}

int64_t ThreadScheduler::NowNs() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now() - start_)
      .count();
}

void ThreadScheduler::Note(absl::string_view text) {
  TraceEvent event;
  event.step = ops_.load();
  event.task = CurrentTask() != nullptr ? CurrentTask()->ordinal : 0;
  event.kind = TraceEventKind::kNote;
  event.text = std::string(text);
  if (world_ != nullptr && WorldAccess::has_state_probe(*world_)) {
    event.state = WorldAccess::ProbeState(*world_);
  }
  RecordEvent(std::move(event));
}

std::string ThreadScheduler::CurrentTaskName() const {
  const TaskIdentity* task = CurrentTask();
  return task != nullptr ? task->name : "";
}

void ThreadScheduler::OnSpawn(World& world) {
  FL_CHECK(&world == world_);
  // Tasks spawned while building start when the build is done.
  if (building_ || aborting_.load()) return;
  StartSpawned();
}

void ThreadScheduler::OnSiteHit(const PointInfo& point, uint64_t key) {
  BeforeOp(OpKind::kFault, &point, point.name.c_str());
}

void ThreadScheduler::OnRuleFired(const CompiledRule& rule, uint64_t key) {
  RecordEvent({ops_.load(),
               CurrentTask() ? CurrentTask()->ordinal : 0,
               TraceEventKind::kRuleFired,
               OpKind::kFault,
               0,
               static_cast<int64_t>(key),
               0,
               rule.name,
               {}});
}

bool ThreadScheduler::WaitUntil(absl::FunctionRef<bool()> ready,
                                int64_t timeout_ns) {
  const auto deadline =
      RealDeadline(std::chrono::steady_clock::now(), timeout_ns);
  WaitingMark mark(CurrentThreadTask(), "fault point", "wait_for", nullptr);
  while (!ready()) {
    if (std::chrono::steady_clock::now() >= deadline) return ready();
    CheckAbort();
    if (aborting_.load()) return ready();
    std::this_thread::sleep_for(std::chrono::microseconds(20));
  }
  return true;
}

}  // namespace internal
}  // namespace faultline
