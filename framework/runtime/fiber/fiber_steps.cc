// The fiber backend's decisions: who runs the next step, virtual time,
// deadlock and step-budget detection, blocking and waking, and violations
// (see fiber_scheduler.h).
#include <algorithm>
#include <exception>
#include <string>
#include <utility>

#include "absl/base/optimization.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "framework/check.h"
#include "framework/runtime/fiber/fiber_scheduler.h"
#include "framework/runtime/internal/deadline.h"
#include "framework/runtime/rcu.h"

namespace faultline {
namespace internal {

void FiberScheduler::Reschedule(FiberTask* cur, bool yielded, bool may_throw) {
  FL_CHECK(cur == current_);
  // A release (an unlock in a guard's destructor, say) must not throw: a
  // violation this decision finds (the step budget, a deadlock, a failed
  // step check) is only recorded, and the task unwinds at its next
  // operation. Throwing here was std::terminate.
  const bool saved_no_throw = no_throw_;
  if (!may_throw) no_throw_ = true;
  FiberTask* next = Decide(cur, yielded);
  no_throw_ = saved_no_throw;
  if (next != cur) SwitchTo(next);
  if (aborting_ && may_throw && !no_throw_ && std::uncaught_exceptions() == 0) {
    throw IterationAborted{};
  }
}

void FiberScheduler::ProbeStepEnd() {
  if (!config_.probe_each_step || !recorder_.keep_events() ||
      world_ == nullptr || !WorldAccess::has_state_probe(*world_) ||
      tearing_down_) {
    return;
  }
  recorder_.StepEnd(step_, ProbeWithoutTrace());
}

StateSnapshot FiberScheduler::ProbeWithoutTrace() {
  // While the probe runs the ops hooks return at once, as when tearing down.
  ++in_hook_;
  tearing_down_ = true;
  StateSnapshot state = WorldAccess::ProbeState(*world_);
  tearing_down_ = false;
  --in_hook_;
  return state;
}

FiberTask* FiberScheduler::Decide(FiberTask* cur, bool yielded) {
  // Step step_ ends here: its state is what the rendered rows of the step
  // show, checks' and wake-ups' effects excluded.
  ProbeStepEnd();
  if (!rcus_.empty() || WorldAccess::has_step_checks(*world_)) RunStepHooks();
  if (aborting_) return nullptr;
  if (ABSL_PREDICT_FALSE(wall_guard_.expired())) {
    wall_guard_.Claim();
    ReportWallTime();
    return nullptr;
  }
  if (now_ns_ >= next_wake_ns_) WakeDueSleepers();
  while (!CollectRunnable(cur, yielded)) {
    if (next_wake_ns_ != kNoWake) {
      // Nothing can run before the earliest deadline: jump to it.
      FL_CHECK(next_wake_ns_ >= now_ns_);
      now_ns_ = next_wake_ns_;
      WakeDueSleepers();
      continue;
    }
    if (config_.dpor && WakeOneSpinner()) continue;
    for (auto& task : tasks_) {
      if (task->state == TaskState::kBlocked || LockDisabled(*task)) {
        ReportDeadlock();
        return nullptr;
      }
    }
    return nullptr;  // every task finished
  }
  if (++step_ > config_.max_steps) {
    ReportStepBudget();
    return nullptr;
  }
  const bool cur_runnable =
      cur != nullptr && cur->state == TaskState::kRunnable;
  // The default keeps a current task that can run (a yielder is left out
  // of runnable_ unless it is alone), else takes the lowest ordinal.
  const uint32_t fallback =
      cur_runnable && !yielded ? cur->ordinal() : runnable_[0];
  SchedulingPoint point;
  point.step = step_;
  point.current = cur_runnable ? cur->ordinal() : 0;
  point.yielded = yielded && cur_runnable;
  point.runnable = absl::MakeConstSpan(runnable_.data(), runnable_count_);
  point.next = absl::MakeConstSpan(footprints_.data(), runnable_count_);
  if (config_.state_keys && strategy_ != nullptr && strategy_->WantsState()) {
    point.state = StateKey();
  }
  const uint32_t chosen =
      strategy_ != nullptr ? strategy_->Choose(point) : fallback;
  if (chosen == kStopRun) {
    // Unwound like an abort, with nothing reported and no quiescence
    // checks: the run has not ended.
    cut_short_ = aborting_ = true;
    return nullptr;
  }
  FL_CHECK(chosen >= 1 && chosen <= tasks_.size());
  FiberTask* next = tasks_[chosen - 1].get();
  FL_CHECK(next->state == TaskState::kRunnable);
  ++next->steps;
  const bool preemption = cur_runnable && !yielded && next != cur;
  recorder_.Decision(chosen, preemption, chosen == fallback);
  // DPOR: time moves only when nothing can run.
  if (!config_.dpor) now_ns_ = VirtualDeadline(now_ns_, config_.step_ns);
  // For a wall-clock give-up (GiveUpStuck): the decisions so far, published
  // (a plain store on x86).
  published_task_.store(chosen, std::memory_order_relaxed);
  published_steps_.store(step_, std::memory_order_release);
  return next;
}

bool FiberScheduler::CollectRunnable(FiberTask* cur, bool yielded) {
  // Plain stores into arrays sized at spawn (AdoptSpawned): every step runs
  // this, and push_back's capacity checks were a fifth of its cost.
  uint32_t* const ordinals = runnable_.data();
  Footprint* const next = footprints_.data();
  size_t n = 0;
  // A yielding task lets the others go first.
  const FiberTask* const skip = yielded && !config_.dpor ? cur : nullptr;
  for (const auto& owned : tasks_) {
    const FiberTask* task = owned.get();
    if (task->state != TaskState::kRunnable || task == skip) continue;
    if (config_.dpor && LockDisabled(*task)) continue;
    ordinals[n] = task->ordinal();
    next[n] = task->next;
    if (config_.dpor) RefineFootprint(*task, next[n]);
    ++n;
  }
  if (n == 0 && skip != nullptr && skip->state == TaskState::kRunnable) {
    ordinals[0] = skip->ordinal();  // nobody else: keep running
    next[0] = skip->next;
    n = 1;
  }
  runnable_count_ = n;
  return n != 0;
}

void FiberScheduler::WakeDueSleepers() {
  int64_t next = kNoWake;
  for (auto& task : tasks_) {
    const bool waiting = task->state == TaskState::kSleeping ||
                         task->state == TaskState::kBlocked;
    if (!waiting || task->wake_ns < 0) continue;
    if (task->wake_ns <= now_ns_) {
      MakeRunnable(task.get());
    } else {
      next = std::min(next, task->wake_ns);
    }
  }
  next_wake_ns_ = next;
}

void FiberScheduler::RunStepHooks() {
  struct HookScope {
    explicit HookScope(int& depth) : depth(depth) { ++depth; }
    ~HookScope() { --depth; }
    int& depth;
  } scope(in_hook_);
  // Callbacks whose grace period ended run at the first step after it.
  for (size_t i = 0; i < rcus_.size(); ++i) rcus_[i]->Poll();
  WorldAccess::RunStepChecks(*world_);
}

std::string FiberScheduler::ContextName() const {
  if (current_ == nullptr) return "the controller (build or quiescence)";
  return absl::StrCat("a check or RCU callback in task '", current_->name(),
                      "'");
}

std::string FiberScheduler::DescribeBlocked(const FiberTask& task) const {
  std::string text = absl::StrCat("task '", task.name(), "' (#", task.ordinal(),
                                  ") waits for ", task.blocked_kind, " '",
                                  task.blocked_label, "'");
  const uint32_t holder =
      task.blocked_owner != nullptr ? task.blocked_owner->load() : 0;
  if (holder >= 1 && holder <= tasks_.size()) {
    const FiberTask& owner = *tasks_[holder - 1];
    absl::StrAppend(&text, " held by '", owner.name(), "' (#", holder, ")");
  } else if (holder == kNonTaskOwner) {
    absl::StrAppend(&text, " held outside any task");
  } else if (task.blocked_owner == nullptr) {
    absl::StrAppend(&text, " (no task will wake it)");
  }
  return text;
}

void FiberScheduler::ReportDeadlock() {
  std::vector<std::string> parts;
  for (auto& task : tasks_) {
    if (task->state == TaskState::kBlocked) {
      parts.push_back(DescribeBlocked(*task));
    } else if (task->state == TaskState::kRunnable && LockDisabled(*task)) {
      parts.push_back(absl::StrCat(
          "task '", task->name(), "' (#", task->ordinal(), ") waits for '",
          task->next_label, "' held by #", task->next_owner->load()));
    }
  }
  FL_CHECK(!parts.empty());
  ReportModelError("deadlock", absl::StrCat("no task can run: ",
                                            absl::StrJoin(parts, "; ")));
}

void FiberScheduler::ReportStepBudget() {
  ReportModelError("livelock.step_budget",
                   absl::StrCat("more than ", config_.max_steps,
                                " steps (IterationConfig::max_steps)"));
}

void FiberScheduler::ReportWallTime() {
  ReportModelError(
      "livelock.wall_time",
      absl::StrCat("more than ", wall_guard_.limit_ms(),
                   " ms of real time by step ", step_,
                   " (IterationConfig::wall_time_limit_ms; the plan's "
                   "exploration.iteration_timeout_ms)"));
}

// On the wall-clock watcher's thread, while this iteration's thread is stuck
// in a task that reaches no decision: the decisions published by the last
// one are all that is read.
void FiberScheduler::GiveUpStuck() {
  if (!config_.on_stuck) return;
  const uint64_t steps = published_steps_.load(std::memory_order_acquire);
  const uint32_t task = published_task_.load(std::memory_order_relaxed);
  StuckIteration stuck;
  stuck.trace.step_count = steps;
  for (const TraceSwitch& s : recorder_.trace().switches) {
    if (s.step <= steps) stuck.trace.switches.push_back(s);
  }
  stuck.violation.check = "livelock.wall_time";
  stuck.violation.message = absl::StrCat(
      "more than ", wall_guard_.limit_ms(), " ms of real time by step ", steps,
      " and no scheduling point for as long again (a loop without any "
      "instrumented operation?); the process exited (IterationConfig::"
      "wall_time_limit_ms; the plan's exploration.iteration_timeout_ms)");
  stuck.violation.fatal = true;
  stuck.violation.step = steps;
  if (task >= 1 && task <= tasks_.size()) {
    stuck.violation.task = tasks_[task - 1]->name();
  }
  config_.on_stuck(stuck);
}

void FiberScheduler::ReportModelError(const char* check, std::string message,
                                      bool may_throw) {
  Violation violation;
  violation.check = check;
  violation.message = std::move(message);
  violation.fatal = true;
  // In an exiting task or a release operation (maybe in a destructor):
  // record, do not throw.
  const bool saved = no_throw_;
  if (!may_throw ||
      (current_ != nullptr && current_->state == TaskState::kDone)) {
    no_throw_ = true;
  }
  run_->ReportViolation(std::move(violation));
  no_throw_ = saved;
}

void FiberScheduler::OnViolation(const Violation& violation) {
  // A run the strategy stopped is unwound from the middle: what its
  // releases, destructors and callbacks then report is not a finding.
  if (cut_short_) return;
  // A fatal violation ends its step: the state it leaves (unwinding only
  // releases what the tasks held).
  if (violation.fatal) ProbeStepEnd();
  Violation copy = violation;
  copy.step = step_;
  recorder_.Event({step_,
                   current_ordinal(),
                   TraceEventKind::kViolation,
                   OpKind::kNote,
                   0,
                   0,
                   0,
                   absl::StrCat(copy.check, ": ", copy.message),
                   {}});
  violations_.push_back(std::move(copy));
  if (!violation.fatal) return;
  aborting_ = true;
  // Tearing down, the world's destructors run on the controller: nothing
  // would catch the exception.
  if (no_throw_ || tearing_down_ || std::uncaught_exceptions() > 0) return;
  throw IterationAborted{};
}

void FiberScheduler::CheckAbort() {
  if (aborting_ && !no_throw_ && std::uncaught_exceptions() == 0 &&
      current_ != nullptr) {
    throw IterationAborted{};
  }
}

void FiberScheduler::Block(FiberTask* cur, OpKind op, const void* object,
                           const char* label, const char* kind,
                           const std::atomic<uint32_t>* owner,
                           int64_t wake_ns) {
  FL_CHECK(cur == current_);
  FL_CHECK(cur->state == TaskState::kRunnable);
  // When it runs again the task retries `op` (a lock or a wait check).
  const uint32_t id = object != nullptr ? recorder_.ObjectId(object, label) : 0;
  cur->next = Footprint{op, id, AccessOf(op)};
  if (config_.dpor) {
    cur->next.object = StableId(object, id);
    if (op == OpKind::kWait) cur->next.access = Footprint::Access::kGlobal;
  }
  cur->next_object = object;
  cur->next_trace_object = id;
  cur->state = object != nullptr ? TaskState::kBlocked : TaskState::kSleeping;
  cur->blocked_on = object;
  cur->blocked_label = label;
  cur->blocked_kind = kind;
  cur->blocked_owner = owner;
  cur->wake_ns = wake_ns;
  if (wake_ns >= 0) next_wake_ns_ = std::min(next_wake_ns_, wake_ns);
  recorder_.Event({step_,
                   cur->ordinal(),
                   TraceEventKind::kBlock,
                   op,
                   id,
                   wake_ns,
                   0,
                   label,
                   {}});
  Reschedule(cur, false);
  FL_CHECK(cur->state == TaskState::kRunnable);
}

void FiberScheduler::MakeRunnable(FiberTask* task) {
  FL_CHECK(task->state == TaskState::kBlocked ||
           task->state == TaskState::kSleeping);
  task->state = TaskState::kRunnable;
  task->blocked_on = nullptr;
  task->blocked_owner = nullptr;
  task->wake_ns = -1;
  recorder_.Event({step_,
                   task->ordinal(),
                   TraceEventKind::kWake,
                   OpKind::kWake,
                   task->next.object,
                   now_ns_,
                   0,
                   "",
                   {}});
}

void FiberScheduler::WakeBlockedOn(const void* object) {
  for (auto& task : tasks_) {
    if (task->state == TaskState::kBlocked && task->blocked_on == object) {
      MakeRunnable(task.get());
    }
  }
}

}  // namespace internal
}  // namespace faultline
