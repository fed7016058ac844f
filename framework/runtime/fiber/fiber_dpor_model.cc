// The fiber backend's step model under IterationConfig::dpor: when a lock
// can be taken, what a trylock and a fault hit touch, and spin loops (see
// iteration.h and docs/runtime.md, "DPOR").
//
// Spin loops follow the rule GenMC applies to await loops (Kokologiannakis
// et al., "Effective lock handling in stateless model checking", OOPSLA
// 2019), found at run time instead of by a compiler pass: a task that
// reaches a yield after a loop iteration whose steps changed no value
// would, run again before anything it read changes, repeat that iteration
// exactly. So it blocks until another task (or an RCU callback) changes an
// object one of those steps touched; its resume step reads that object,
// which orders it after the change. When no task can run at all, the
// lowest-ordinal spinner resumes anyway (a bounded retry loop must be able
// to give up); a loop that never sees a change then runs into the step
// budget (livelock) instead of hanging.
#include <algorithm>
#include <vector>

#include "framework/check.h"
#include "framework/rule.h"
#include "framework/rule_set.h"
#include "framework/runtime/fiber/fiber_scheduler.h"
#include "framework/runtime/rcu.h"
#include "framework/site_registry.h"

namespace faultline {
namespace internal {

void FiberScheduler::OnCreate(const void* object) {
  if (!config_.dpor && !Tracking()) return;
  const uint32_t creator =
      current_ != nullptr && in_hook_ == 0 ? current_->ordinal() : 0;
  if (created_.size() <= creator) created_.resize(creator + 1, 0);
  const uint32_t count = ++created_[creator];
  FL_CHECK(creator < 0x7f && count < (1u << 24));
  stable_ids_[object] = (creator << 24) | count;
}

uint32_t FiberScheduler::StableId(const void* object, uint32_t trace_id) const {
  if (object == nullptr) return 0;
  auto it = stable_ids_.find(object);
  return it != stable_ids_.end() ? it->second : (kUnnamed | trace_id);
}

bool FiberScheduler::LockDisabled(const FiberTask& task) const {
  // A finished task's `next` still names its last operation: a task that
  // exits holding the lock its last step took is not waiting for it.
  return config_.dpor && task.state == TaskState::kRunnable &&
         task.next.op == OpKind::kLock && task.next_owner != nullptr &&
         task.next_owner->load(std::memory_order_relaxed) != 0;
}

void FiberScheduler::ReportLockedOut() {
  if (!config_.dpor || strategy_ == nullptr) return;
  std::vector<uint32_t> ordinals;
  std::vector<Footprint> next;
  for (const auto& task : tasks_) {
    if (task->state != TaskState::kRunnable || !LockDisabled(*task)) continue;
    ordinals.push_back(task->ordinal());
    next.push_back(task->next);
  }
  if (!ordinals.empty()) strategy_->LockedOut(ordinals, next);
}

void FiberScheduler::RefineFootprint(const FiberTask& task,
                                     Footprint& footprint) const {
  if (footprint.op == OpKind::kTryLock && task.next_owner != nullptr) {
    // A trylock on a held lock fails and changes nothing: it only reads.
    footprint.access = task.next_owner->load(std::memory_order_relaxed) != 0
                           ? Footprint::Access::kRead
                           : Footprint::Access::kWrite;
  }
  if (footprint.op == OpKind::kRmw && task.next_bit_word != nullptr &&
      footprint.bit != Footprint::kAllBits) {
    // Setting a set bit or clearing a clear one changes nothing: a read.
    const bool is_set =
        (task.next_bit_word->load(std::memory_order_relaxed) >> footprint.bit) &
        1UL;
    footprint.access = is_set == task.next_bit_set ? Footprint::Access::kRead
                                                   : Footprint::Access::kWrite;
  }
  const bool rcu_section = footprint.op == OpKind::kRcuUnlock ||
                           (footprint.op == OpKind::kRcuRead &&
                            footprint.access != Footprint::Access::kGlobal);
  if (rcu_section) {
    // While callbacks are queued, which unlock ends their grace period (and
    // runs them, touching anything) depends on how the read sections
    // interleave: a section opened before another closes moves it. So
    // while any is queued every read lock and unlock of that Rcu counts as
    // global, whatever this order makes it do; queuing one (CallRcu) and
    // running them are global steps, so every order agrees on when that
    // holds. Narrower (only the last reader out) lost classes against the
    // brute force: a reordered unlock became the last one.
    for (const Rcu* rcu : rcus_) {
      if (rcu == task.next_object && rcu->PeekPending() != 0) {
        footprint.access = Footprint::Access::kGlobal;
      }
    }
  }
}

void FiberScheduler::SpinYield(FiberTask* cur) {
  const bool spins = cur != nullptr && InTaskContext() && !aborting_ &&
                     cur != priming_ && !cur->spin_progress &&
                     !cur->spin_reads.empty();
  if (spins) {
    cur->spinning = true;
    Block(cur, OpKind::kYield, &spin_object_, "yield", "a change (spinning)",
          nullptr, -1);
  } else {
    BeforeOp(OpKind::kYield, nullptr, "yield");
  }
  if (cur != nullptr) {
    cur->spinning = false;
    cur->spin_progress = false;
    cur->spin_reads.clear();
  }
}

void FiberScheduler::NoteSpinAccess(FiberTask* task, uint32_t object,
                                    bool changed) {
  if (task != nullptr) {
    if (changed) {
      task->spin_progress = true;
    } else if (object != 0 &&
               std::find(task->spin_reads.begin(), task->spin_reads.end(),
                         object) == task->spin_reads.end()) {
      task->spin_reads.push_back(object);
    }
  }
  if (!changed || object == 0) return;
  for (auto& owned : tasks_) {
    FiberTask* other = owned.get();
    if (other == task || !other->spinning ||
        std::find(other->spin_reads.begin(), other->spin_reads.end(), object) ==
            other->spin_reads.end()) {
      continue;
    }
    other->spinning = false;
    other->next = Footprint{OpKind::kYield, object, Footprint::Access::kRead};
    MakeRunnable(other);
  }
}

bool FiberScheduler::WakeOneSpinner() {
  for (auto& owned : tasks_) {
    FiberTask* task = owned.get();
    if (task->state != TaskState::kBlocked || !task->spinning) continue;
    task->spinning = false;
    task->next = Footprint{OpKind::kYield, 0, Footprint::Access::kNone};
    MakeRunnable(task);
    return true;
  }
  return false;
}

// A hit touches shared rule state only where the outcome of another task's
// hit can depend on it: counters over all matching tasks (nth, skip,
// max_fires), or a wait_for that waits for this point. Hooks (trigger) and
// this hit's own wait_for may run any model code. A probability-only rule
// decides from (seed, point, task, the task's own hit index): nothing
// shared.
Footprint::Access FiberScheduler::FaultAccess(const PointInfo& point) const {
  using Access = Footprint::Access;
  Access access = Access::kNone;
  const TaskIdentity& task = *current_->identity;
  for (const CompiledRule& rule : run_->rules().rules()) {
    if (rule.action == ActionKind::kWaitFor && rule.wait_point == point.index) {
      access = std::max(access, Access::kWrite);
    }
    if (rule.point != point.index || !rule.MatchesTask(task.name, task.role)) {
      continue;
    }
    if (rule.action == ActionKind::kTrigger ||
        rule.action == ActionKind::kWaitFor) {
      return Access::kGlobal;
    }
    // A branching rule fires where the search says (RunOptions::
    // branch_fires): its max_fires counter never decides.
    if (rule.nth != 0 || rule.skip != 0 ||
        (rule.max_fires != 0 && !rule.branch)) {
      access = std::max(access, Access::kWrite);
    }
  }
  return access;
}

}  // namespace internal
}  // namespace faultline
