// The fiber backend's side of the instrumented primitives, this_task and
// the RunContext Executor: scheduling points, locks, waits, virtual sleeps,
// notes and fault-point hits (see fiber_scheduler.h).
#include <algorithm>
#include <exception>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "framework/check.h"
#include "framework/rule.h"
#include "framework/runtime/fiber/fiber_scheduler.h"
#include "framework/runtime/internal/deadline.h"
#include "framework/runtime/rcu.h"
#include "framework/site_registry.h"

namespace faultline {
namespace internal {
namespace {

// Releases never throw IterationAborted: they are what destructors (lock
// guards, RCU guards) call, and a destructor may not throw.
bool IsRelease(OpKind kind) {
  return kind == OpKind::kUnlock || kind == OpKind::kWake ||
         kind == OpKind::kRcuUnlock;
}

}  // namespace

bool FiberScheduler::ShouldThrowOnAbort(OpKind kind) const {
  return !IsRelease(kind) && !no_throw_ && std::uncaught_exceptions() == 0;
}

void FiberScheduler::BeforeOp(OpKind kind, const void* object,
                              const char* label) {
  if (tearing_down_) return;
  uint32_t id = object != nullptr ? recorder_.ObjectId(object, label) : 0;
  FiberTask* cur = current_;
  if (cur == nullptr || in_hook_ > 0) {
    // The controller and checks are not tasks: their ops are not steps.
    side_object_ = object;
    side_id_ = id;
    side_op_ = kind;
    pending_owner_ = nullptr;
    pending_bit_ = Footprint::kAllBits;
    pending_rcu_call_ = false;
    pending_add_ = false;
    pending_bit_word_ = nullptr;
    return;
  }
  cur->next_object = object;
  cur->next_trace_object = id;
  cur->next_label = label;
  cur->next_owner = pending_owner_;
  pending_owner_ = nullptr;
  cur->next_bit_word = pending_bit_word_;
  cur->next_bit_set = pending_bit_set_;
  pending_bit_word_ = nullptr;
  if (kind == OpKind::kFault) id = recorder_.ObjectId(&fault_object_, "faults");
  cur->next = Footprint{kind, id, AccessOf(kind)};
  // Trace ids follow first appearance, which differs between schedules:
  // footprints and what a task saw name the object by who made it.
  const uint32_t stable = !config_.dpor && !Tracking() ? 0
                          : kind == OpKind::kFault     ? pending_fault_object_
                                                       : StableId(object, id);
  if (Tracking()) {
    // A bit operation sees its bit, an add whose result is dropped nothing,
    // whatever the strategy (footprints say so only under DPOR).
    cur->next_state_object = stable;
    cur->next_state_bit = pending_bit_;
    cur->next_state_add = pending_add_ && kind == OpKind::kRmw;
  }
  if (config_.dpor) {
    cur->next.object = stable;
    // Wait predicates read model state no footprint names.
    if (kind == OpKind::kWait) cur->next.access = Footprint::Access::kGlobal;
    if (kind == OpKind::kFault) cur->next.access = pending_fault_access_;
    pending_fault_access_ = Footprint::Access::kWrite;
    cur->next.bit = pending_bit_;
    cur->next.add = pending_add_ && kind == OpKind::kRmw;
    // A read lock or unlock changes only the reader count; call_rcu and the
    // unlock that ends a grace period run callbacks (RefineFootprint).
    if ((kind == OpKind::kRcuRead && !pending_rcu_call_) ||
        kind == OpKind::kRcuUnlock) {
      cur->next.access = Footprint::Access::kWrite;
    }
  }
  pending_bit_ = Footprint::kAllBits;
  pending_rcu_call_ = false;
  pending_add_ = false;
  if (aborting_) {
    // Resumed to unwind (or unwinding already).
    if (ShouldThrowOnAbort(kind)) throw IterationAborted{};
    return;
  }
  if (cur == priming_) {
    // A new task parks before its first operation; the primer continues.
    cur->state = TaskState::kRunnable;
    priming_ = nullptr;
    SwitchTo(primer_);
    if (aborting_ && ShouldThrowOnAbort(kind)) throw IterationAborted{};
    return;
  }
  Reschedule(cur, kind == OpKind::kYield && !config_.dpor, !IsRelease(kind));
}

void FiberScheduler::BeforeBitOp(OpKind kind, const void* object,
                                 const char* label, int bit) {
  if ((config_.dpor || Tracking()) && bit >= 0 && bit < Footprint::kAllBits) {
    pending_bit_ = static_cast<uint8_t>(bit);
  }
  BeforeOp(kind, object, label);
}

void FiberScheduler::BeforeBitRmw(const void* object, const char* label,
                                  int bit,
                                  const std::atomic<unsigned long>* word,
                                  bool set) {
  if (config_.dpor) {
    pending_bit_word_ = word;
    pending_bit_set_ = set;
  }
  BeforeBitOp(OpKind::kRmw, object, label, bit);
}

void FiberScheduler::BeforeAddOp(const void* object, const char* label) {
  pending_add_ = config_.dpor || Tracking();
  BeforeOp(OpKind::kRmw, object, label);
}

void FiberScheduler::BeforeRcuCall(const void* rcu, const char* label) {
  pending_rcu_call_ = config_.dpor;
  BeforeOp(OpKind::kRcuRead, rcu, label);
}

void FiberScheduler::AfterOp(const void* object, int64_t before,
                             int64_t after) {
  RecordOp(object, before, after, before, after);
}

void FiberScheduler::RecordOp(const void* object, int64_t before, int64_t after,
                              int64_t state_before, int64_t state_after) {
  if (tearing_down_) return;
  FiberTask* cur = current_;
  if (cur == nullptr || in_hook_ > 0) {
    const uint32_t id = side_object_ == object ? side_id_ : 0;
    recorder_.Op(step_, current_ordinal(), side_op_, id, before, after);
    if (config_.dpor) {
      NoteSpinAccess(nullptr, StableId(object, id), before != after);
    }
    if (Tracking()) {
      NoteStateOp(nullptr, side_op_, StableId(object, id), Footprint::kAllBits,
                  state_before, state_after);
    }
    NoteTouched(side_op_, object);
    return;
  }
  FL_CHECK(cur->next_object == object);
  if (config_.dpor) NoteSpinAccess(cur, cur->next.object, before != after);
  if (Tracking()) {
    NoteStateOp(cur, cur->next.op, cur->next_state_object, cur->next_state_bit,
                state_before, state_after);
  }
  recorder_.Op(step_, cur->ordinal(), cur->next.op, cur->next_trace_object,
               before, after);
  NoteTouched(cur->next.op, object);
}

void FiberScheduler::NoteTouched(OpKind kind, const void* object) {
  if (kind == OpKind::kLoad || object == nullptr || world_ == nullptr) return;
  if (WorldAccess::wants_touched(*world_)) {
    WorldAccess::NoteTouched(*world_, object);
  }
}

void FiberScheduler::AfterPointerOp(const void* object, const void* before,
                                    const void* after) {
  if (tearing_down_) return;
  auto id = [this](const void* p) -> int64_t {
    return p == nullptr ? 0 : recorder_.ObjectId(p, "pointee");
  };
  // The trace names pointees by first appearance, the state by who made
  // them (the same in every schedule).
  if (Tracking()) {
    RecordOp(object, id(before), id(after), PointeeName(before),
             PointeeName(after));
  } else {
    AfterOp(object, id(before), id(after));
  }
}

void FiberScheduler::Lock(std::atomic<uint32_t>& owner, const void* lock,
                          const char* label, const char* kind) {
  pending_owner_ = &owner;
  BeforeOp(OpKind::kLock, lock, label);
  FiberTask* cur = current_;
  if (!InTaskContext() || aborting_) {
    // Nobody else runs meanwhile, so a held lock would never be released
    // (while unwinding, the holder is being torn down: take it).
    const uint32_t holder = owner.load(std::memory_order_relaxed);
    if (holder != 0 && !aborting_) {
      ReportModelError(
          "deadlock",
          absl::StrCat(ContextName(), " waits for ", kind, " '", label,
                       "' held by task #", holder, "; checks must not block"));
    }
    owner.store(LockHolderId(), std::memory_order_relaxed);
    AfterOp(lock, holder, LockHolderId());
    return;
  }
  while (owner.load(std::memory_order_relaxed) != 0) {
    Block(cur, OpKind::kLock, lock, label, kind, &owner, -1);
  }
  owner.store(cur->ordinal(), std::memory_order_relaxed);
  AfterOp(lock, 0, cur->ordinal());
}

bool FiberScheduler::TryLock(std::atomic<uint32_t>& owner, const void* lock,
                             const char* label) {
  pending_owner_ = &owner;
  BeforeOp(OpKind::kTryLock, lock, label);
  uint32_t seen = 0;
  const uint32_t self = LockHolderId();
  const bool ok = owner.compare_exchange_strong(seen, self);
  AfterOp(lock, seen, ok ? self : seen);
  return ok;
}

void FiberScheduler::Unlock(std::atomic<uint32_t>& owner, const void* lock,
                            const char* label) {
  BeforeOp(OpKind::kUnlock, lock, label);
  const uint32_t holder = owner.load(std::memory_order_relaxed);
  if (holder != LockHolderId() && !aborting_) {
    ReportModelError("lock.unlock_not_owner",
                     absl::StrCat("'", label, "' unlocked by ",
                                  CurrentTaskName(), " but held by #", holder),
                     /*may_throw=*/false);
  }
  owner.store(0, std::memory_order_relaxed);
  WakeBlockedOn(lock);
  AfterOp(lock, holder, 0);
}

bool FiberScheduler::Wait(const void* queue, const char* label,
                          absl::FunctionRef<bool()> ready, int64_t timeout_ns) {
  BeforeOp(OpKind::kWait, queue, label);
  if (!InTaskContext() || aborting_) return ready();
  FiberTask* cur = current_;
  const int64_t deadline =
      timeout_ns >= 0 ? VirtualDeadline(now_ns_, timeout_ns) : -1;
  // The deadline is the task's own state from here on.
  NoteObserved(cur, static_cast<uint64_t>(deadline));
  while (!ready()) {
    if (deadline >= 0 && now_ns_ >= deadline) {
      NoteObserved(cur, 0);
      return false;
    }
    Block(cur, OpKind::kWait, queue, label, "wait_queue", nullptr, deadline);
  }
  NoteObserved(cur, 1);
  return true;
}

void FiberScheduler::WakeAll(const void* queue, const char* label) {
  BeforeOp(OpKind::kWake, queue, label);
  WakeBlockedOn(queue);
  AfterOp(queue, 0, 0);
}

void FiberScheduler::SleepFor(int64_t ns) {
  if (ns <= 0) {
    Yield();
    return;
  }
  BeforeOp(OpKind::kSleep, nullptr, "sleep");
  // DPOR: time must not decide which task can run; a delay is a step.
  if (!InTaskContext() || aborting_ || config_.dpor) return;
  Block(current_, OpKind::kSleep, nullptr, "sleep", "sleep", nullptr,
        VirtualDeadline(now_ns_, ns));
}

void FiberScheduler::Yield() {
  if (config_.dpor) {
    SpinYield(current_);
    return;
  }
  BeforeOp(OpKind::kYield, nullptr, "yield");
}

void FiberScheduler::Note(absl::string_view text) {
  if (tearing_down_) return;
  StateSnapshot state;
  // The state columns are for rendering only: they are a function of the
  // operations the trace already has, so the hash leaves them out and an
  // exploring run (no events kept) does not probe at all, which was about a
  // tenth of a seed-race schedule.
  if (recorder_.keep_events() && world_ != nullptr &&
      WorldAccess::has_state_probe(*world_)) {
    state = ProbeWithoutTrace();
  }
  recorder_.Note(step_, current_ordinal(), text, std::move(state));
}

std::string FiberScheduler::CurrentTaskName() const {
  return current_ != nullptr ? current_->name() : "";
}

void FiberScheduler::OnSpawn(World& world) {
  FL_CHECK(&world == world_);
  // Spawning from a check or callback would need priming there.
  FL_CHECK(in_hook_ == 0);
  // Tasks spawned while building start after the build; while unwinding
  // they never start.
  if (current_ == nullptr || aborting_) return;
  const size_t first = tasks_.size();
  AdoptSpawned();
  for (size_t i = first; i < tasks_.size() && !aborting_; ++i) {
    Prime(tasks_[i].get());
  }
  CheckAbort();
}

void FiberScheduler::RegisterRcu(Rcu* rcu) {
  FL_CHECK(std::find(rcus_.begin(), rcus_.end(), rcu) == rcus_.end());
  rcus_.push_back(rcu);
}

void FiberScheduler::UnregisterRcu(Rcu* rcu) {
  auto it = std::find(rcus_.begin(), rcus_.end(), rcu);
  FL_CHECK(it != rcus_.end());
  rcus_.erase(it);
}

void FiberScheduler::OnSiteHit(const PointInfo& point, uint64_t key) {
  if (InTaskContext()) {
    if (config_.dpor) pending_fault_access_ = FaultAccess(point);
    if (config_.dpor || Tracking()) {
      pending_fault_object_ = kFaultsBase | static_cast<uint32_t>(point.index);
    }
  }
  BeforeOp(OpKind::kFault, &point, point.name.c_str());
  const int64_t value = static_cast<int64_t>(key);
  AfterOp(&point, value, value);
}

void FiberScheduler::OnRuleFired(const CompiledRule& rule, uint64_t key) {
  // What the hit did is what the task sees of it; outside a task, rule
  // counters move where no task's state shows it.
  if (InTaskContext()) {
    NoteObserved(current_, static_cast<uint64_t>(rule.ordinal) + 1);
  } else if (Tracking() && step_ > 0) {
    state_unnamed_ = true;
  }
  recorder_.Event({step_,
                   current_ordinal(),
                   TraceEventKind::kRuleFired,
                   OpKind::kFault,
                   0,
                   static_cast<int64_t>(key),
                   0,
                   rule.name,
                   {}});
}

bool FiberScheduler::WaitUntil(absl::FunctionRef<bool()> ready,
                               int64_t timeout_ns) {
  struct Waiting {
    explicit Waiting(int& count) : count(count) { ++count; }
    ~Waiting() { --count; }
    int& count;
  } waiting(notify_waiters_);
  return Wait(&fault_object_, "wait_for", ready, timeout_ns);
}

void FiberScheduler::Notify() {
  if (notify_waiters_ > 0) WakeBlockedOn(&fault_object_);
}

}  // namespace internal
}  // namespace faultline
