// The fiber backend's state key under IterationConfig::state_keys: one hash
// of everything that decides what the rest of a run can do, so a stateful
// search can tell that two schedules have converged (docs/runtime.md,
// "State caching").
//
// A task's body is deterministic given what its steps read (the same
// assumption every systematic search here makes), so its local state -
// stack, locals, where it is in its code - is named by the sequence of
// values it has seen: `observed`, folded at every step. Shared state is the
// value of every instrumented object, by stable name (who created it), kept
// as a sum of per-object hashes that each change updates in O(1) (Zobrist
// hashing). The rest is the scheduler's own: task states, spin-loop
// bookkeeping, virtual time, and each RCU instance's readers and queued
// callbacks. Model data outside instrumented objects must be a function of
// these (written before publication, or bookkeeping the steps decide), as
// docs/runtime.md asks of a model.
//
// A step on an object without a stable name (made before the scheduler,
// say) makes the rest of the run unnamed: StateKey() is then 0, which no
// cache stores.
#include <cstdint>

#include "framework/rng.h"
#include "framework/runtime/fiber/fiber_scheduler.h"
#include "framework/runtime/rcu.h"

namespace faultline {
namespace internal {
namespace {

// The key folds words as the fault draws do (rng.h).
constexpr uint64_t Mix(uint64_t state, uint64_t word) {
  return DrawStep(state, word);
}

// Operations whose before/after are the object's value; the others carry
// counts (RCU readers, queue lengths, spawned ordinals) the key takes from
// their owners instead, or nothing.
bool ChangesValue(OpKind op) {
  return op == OpKind::kStore || op == OpKind::kRmw || op == OpKind::kLock ||
         op == OpKind::kTryLock || op == OpKind::kUnlock;
}

// What the task learns from the operation's result. A store, an unlock, a
// wake-up or an add whose result is dropped tells it nothing; a lock it
// acquires tells it only that it has it.
bool Observes(OpKind op) {
  return op == OpKind::kLoad || op == OpKind::kRmw || op == OpKind::kTryLock ||
         op == OpKind::kFault;
}

}  // namespace

void FiberScheduler::NoteStateOp(FiberTask* task, OpKind op, uint32_t object,
                                 uint8_t bit, int64_t before, int64_t after) {
  if (op == OpKind::kSpawn && task != nullptr) {
    // The spawner learns the new task's ordinal, and which body holds
    // which ordinal depends on the order of spawns.
    NoteObserved(task, Mix(0, static_cast<uint64_t>(after)));
    return;
  }
  if (op == OpKind::kFault && task == nullptr) {
    // A hit in a callback or a check moves rule counters no task saw (one
    // while building is the same in every run).
    if (step_ > 0) state_unnamed_ = true;
    return;
  }
  const bool changes = ChangesValue(op) && before != after;
  const bool observes =
      task != nullptr && Observes(op) && !task->next_state_add;
  if (!changes && !observes) return;
  if ((object & kUnnamed) != 0 && object < kFaultsBase) {
    state_unnamed_ = true;
    return;
  }
  if (changes) {
    shared_values_ -= Mix(object, static_cast<uint64_t>(before));
    shared_values_ += Mix(object, static_cast<uint64_t>(after));
  }
  if (!observes) return;
  // A bit operation sees its bit only, so two tasks' operations on
  // different bits of one word leave both tasks' states as either order
  // would. A trylock sees only whether the lock was free.
  uint64_t seen = static_cast<uint64_t>(before);
  if (bit != Footprint::kAllBits) seen = (seen >> bit) & 1;
  if (op == OpKind::kTryLock) seen = before == 0 ? 0 : 1;
  NoteObserved(task, Mix(object, seen));
}

void FiberScheduler::NoteObserved(FiberTask* task, uint64_t value) {
  if (!Tracking() || task == nullptr) return;
  task->observed = Mix(task->observed, value);
}

uint64_t FiberScheduler::StateKey() const {
  if (state_unnamed_) return 0;
  uint64_t key = Mix(shared_values_, static_cast<uint64_t>(now_ns_));
  for (const auto& owned : tasks_) {
    const FiberTask& task = *owned;
    key = Mix(key, task.observed);
    key = Mix(key, task.steps);
    key = Mix(key, static_cast<uint64_t>(task.state) |
                       (task.spinning ? 0x10 : 0) |
                       (task.spin_progress ? 0x20 : 0));
    key = Mix(key, static_cast<uint64_t>(task.wake_ns));
    for (uint32_t read : task.spin_reads) key = Mix(key, read);
  }
  for (const Rcu* rcu : rcus_) key = Mix(key, rcu->StateHash());
  return key == 0 ? 1 : key;
}

uint64_t FiberScheduler::Outcome() const {
  if (!config_.outcomes || state_unnamed_ || aborting_ || cut_short_) {
    return 0;
  }
  uint64_t outcome = 0;
  for (const auto& task : tasks_) {
    if (task->state != TaskState::kDone) return 0;
    outcome = Mix(outcome, task->observed);
  }
  return outcome == 0 ? 1 : outcome;
}

int64_t FiberScheduler::PointeeName(const void* pointee) {
  if (pointee == nullptr) return 0;
  // An object holding instrumented members is named by the first of them
  // within its first bytes; its offset keeps the name an injective map of
  // addresses within one run.
  constexpr int kWindow = 256;
  const char* base = static_cast<const char*>(pointee);
  for (int offset = 0; offset < kWindow; offset += alignof(void*)) {
    auto it = stable_ids_.find(base + offset);
    if (it != stable_ids_.end()) {
      return (int64_t{offset} << 32) | it->second;
    }
  }
  state_unnamed_ = true;
  return 0;
}

int64_t FiberScheduler::NowNs() const {
  // A task that reads the clock keeps what it read.
  if (Tracking() && InTaskContext()) {
    current_->observed =
        Mix(current_->observed, static_cast<uint64_t>(now_ns_));
  }
  return now_ns_;
}

uint64_t FiberScheduler::CallbackOrigin() {
  if (!Tracking()) return 0;
  if (!InTaskContext()) {
    // Queued while building: the same in every run. By a callback or a
    // check: nothing names it.
    if (step_ > 0) state_unnamed_ = true;
    return 0;
  }
  return Mix(current_->ordinal(), current_->observed);
}

}  // namespace internal
}  // namespace faultline
