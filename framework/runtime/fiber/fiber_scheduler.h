// -----------------------------------------------------------------------------
// File: fiber/fiber_scheduler.h
// -----------------------------------------------------------------------------
//
// The deterministic fiber backend: every task is a Boost.Fiber on the
// calling OS thread, and a custom boost::fibers::algorithm resumes exactly
// the task the Strategy chose. A task that reaches a scheduling point picks
// the next task itself and switches straight to it with
// boost::fibers::context::resume() (no controller fiber and no pass through
// Boost's scheduler in between; only a task's exit goes through it, to the
// context the algorithm is told to pick); the controller (the thread's main
// context) only starts the run, unwinds tasks after an abort and runs the
// quiescence checks.
//
// Steps: every runnable task is parked just before its next instrumented
// operation ("primed": a new task runs up to its first one before it counts
// as runnable), so each decision executes exactly one visible operation and
// strategies see every candidate's footprint.
//
// Time is virtual: it moves only when nothing can run and some task sleeps
// (it jumps to the earliest deadline). The OS thread never sleeps.
//
// This is the one header with Boost types (and the only place Boost is
// included); only the fiber backend's .cc files include it.
//
// Thread-safety: one OS thread.

#ifndef FAULTLINE_FRAMEWORK_RUNTIME_FIBER_FIBER_SCHEDULER_H_
#define FAULTLINE_FRAMEWORK_RUNTIME_FIBER_FIBER_SCHEDULER_H_

#include <atomic>
#include <boost/context/protected_fixedsize_stack.hpp>
#include <boost/context/stack_context.hpp>
#include <boost/fiber/algo/algorithm.hpp>
#include <boost/fiber/context.hpp>
#include <boost/fiber/fiber.hpp>
#include <boost/fiber/operations.hpp>
#include <boost/fiber/scheduler.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "framework/base/cond_var.h"
#include "framework/base/mutex.h"
#include "framework/internal/task_identity.h"
#include "framework/run_context.h"
#include "framework/runtime/fiber/fiber_sanitizer.h"
#include "framework/runtime/fiber/wall_clock_guard.h"
#include "framework/runtime/internal/backend.h"
#include "framework/runtime/internal/scheduler.h"
#include "framework/runtime/internal/world_access.h"
#include "framework/runtime/iteration_config.h"
#include "framework/runtime/strategies/strategy.h"
#include "framework/runtime/trace/trace_recorder.h"
#include "framework/runtime/world.h"

namespace faultline {
namespace internal {

// Fiber stacks from the per-thread pool (stack_pool.h): a Boost.Context
// StackAllocator, passed to the fiber constructor after std::allocator_arg.
class PooledStack {
 public:
  // `size` usable bytes, plus a guard page below them.
  explicit PooledStack(size_t size) : size_(size) {}

  boost::context::stack_context allocate();
  void deallocate(boost::context::stack_context& sctx) noexcept;

  // The stack most recently handed out on this thread: the fiber
  // constructor allocates through a copy of the allocator, so this is how
  // the creator learns where its new fiber's stack lies.
  static boost::context::stack_context LastAllocatedOnThisThread();

 private:
  boost::context::stack_context Take();

  size_t size_;
};

// Resumes the context it is told to (Choose) and otherwise behaves like a
// FIFO round robin, so the thread's dispatcher and fibers of other users keep
// working between iterations. Every member is noexcept, as Boost requires.
class DeterministicAlgorithm final : public boost::fibers::algo::algorithm {
 public:
  explicit DeterministicAlgorithm(DeterministicAlgorithm** self) noexcept {
    *self = this;
  }

  void awakened(boost::fibers::context* ctx) noexcept override;
  boost::fibers::context* pick_next() noexcept override;
  bool has_ready_fibers() const noexcept override { return !queue_.empty(); }
  void suspend_until(
      std::chrono::steady_clock::time_point const& until) noexcept override;
  void notify() noexcept override;

  // The next pick_next() returns `ctx` (parked by a direct switch, or a new
  // fiber still in the queue).
  void Choose(boost::fibers::context* ctx) noexcept { chosen_ = ctx; }
  // The context most recently handed to awakened() (a new fiber's, right
  // after it was constructed).
  boost::fibers::context* last_awakened() const noexcept {
    return last_awakened_;
  }

 private:
  boost::fibers::scheduler::ready_queue_type queue_;
  boost::fibers::context* chosen_ = nullptr;
  boost::fibers::context* last_awakened_ = nullptr;
  base::Mutex mu_;
  base::CondVar cv_;
  bool notified_ ABSL_GUARDED_BY(mu_) = false;
};

enum class TaskState : uint8_t { kNew, kRunnable, kBlocked, kSleeping, kDone };

struct FiberTask {
  std::unique_ptr<TaskIdentity> identity;
  std::function<void()> body;
  boost::fibers::fiber fiber;
  boost::fibers::context* ctx = nullptr;
  StackBounds stack;  // for AddressSanitizer (fiber_sanitizer.h)
  TaskState state = TaskState::kNew;
  // The operation the task is parked before (valid once primed).
  Footprint next;
  const void* next_object = nullptr;
  uint32_t next_trace_object = 0;  // differs from next.object for faults
  // Tracking(): the parked operation's object as the state names it (who
  // created it; a fault point by index), whatever the footprint says.
  uint32_t next_state_object = 0;
  uint8_t next_state_bit = Footprint::kAllBits;  // the one bit it sees
  bool next_state_add = false;  // an add whose result the task drops
  const char* next_label = "";
  // IterationConfig::dpor: the owner word of the lock a parked kLock or
  // kTryLock takes (runnable only while free).
  const std::atomic<uint32_t>* next_owner = nullptr;
  // IterationConfig::dpor: the word of a parked bit set (next_bit_set) or
  // clear, which changes nothing while the bit already has that value.
  const std::atomic<unsigned long>* next_bit_word = nullptr;
  bool next_bit_set = false;
  // IterationConfig::dpor, spin loops: since the last yield, did a step of
  // this task change a value, and which objects did its steps touch.
  bool spin_progress = false;
  bool spinning = false;  // blocked at a yield until a touched object changes
  std::vector<uint32_t> spin_reads;
  // IterationConfig::state_keys: a hash of every value this task's steps
  // have seen, which with a deterministic body names its local state.
  uint64_t observed = 0;
  // ... and how many steps it has taken: where it is in its code, which a
  // step that sees nothing (a wake-up, an unlock, a note) still moves.
  uint64_t steps = 0;
  // While blocked or sleeping.
  const void* blocked_on = nullptr;
  const char* blocked_label = "";
  const char* blocked_kind = "";
  const std::atomic<uint32_t>* blocked_owner = nullptr;
  int64_t wake_ns = -1;  // >= 0: wakes (times out) at this virtual time

  uint32_t ordinal() const { return identity->ordinal; }
  const std::string& name() const { return identity->name; }
};

class FiberScheduler final : public Scheduler, public Executor, public Backend {
 public:
  explicit FiberScheduler(const IterationConfig& config);
  ~FiberScheduler() override;
  FiberScheduler(const FiberScheduler&) = delete;
  FiberScheduler& operator=(const FiberScheduler&) = delete;

  // Scheduler (fiber_operations.cc).
  void BeforeOp(OpKind kind, const void* object, const char* label) override;
  void AfterOp(const void* object, int64_t before, int64_t after) override;
  void AfterPointerOp(const void* object, const void* before,
                      const void* after) override;
  void OnCreate(const void* object) override;
  void BeforeRcuCall(const void* rcu, const char* label) override;
  uint64_t CallbackOrigin() override;
  void BeforeBitOp(OpKind kind, const void* object, const char* label,
                   int bit) override;
  void BeforeAddOp(const void* object, const char* label) override;
  void BeforeBitRmw(const void* object, const char* label, int bit,
                    const std::atomic<unsigned long>* word, bool set) override;
  void Lock(std::atomic<uint32_t>& owner, const void* lock, const char* label,
            const char* kind) override;
  bool TryLock(std::atomic<uint32_t>& owner, const void* lock,
               const char* label) override;
  void Unlock(std::atomic<uint32_t>& owner, const void* lock,
              const char* label) override;
  bool Wait(const void* queue, const char* label,
            absl::FunctionRef<bool()> ready, int64_t timeout_ns) override;
  void WakeAll(const void* queue, const char* label) override;
  void SleepFor(int64_t ns) override;
  void Yield() override;  // also Executor::Yield
  int64_t NowNs() const override;
  void Note(absl::string_view text) override;
  std::string CurrentTaskName() const override;
  void OnSpawn(World& world) override;
  void RegisterRcu(Rcu* rcu) override;
  void UnregisterRcu(Rcu* rcu) override;
  bool PollsRcu() const override { return true; }
  void CheckAbort() override;

  // Executor (fiber_operations.cc).
  void OnSiteHit(const PointInfo& point, uint64_t key) override;
  void OnRuleFired(const CompiledRule& rule, uint64_t key) override;
  void Delay(int64_t ns) override { SleepFor(ns); }
  bool WaitUntil(absl::FunctionRef<bool()> ready, int64_t timeout_ns) override;
  void Notify() override;
  void OnViolation(const Violation& violation) override;

 private:
  // AfterOp with the values the state key takes (fiber_state_key.cc), which
  // differ from the trace's for pointers (PointeeName).
  void RecordOp(const void* object, int64_t before, int64_t after,
                int64_t state_before, int64_t state_after);
  // fiber_scheduler.cc: tasks, switching, the run.
  void BeforeRun() override;
  void RunWorld(IterationResult& result) override;
  void AfterWorld(IterationResult& result) override;
  void RunTasks();
  void UnwindTasks();
  void RunQuiescence();
  void AdoptSpawned();
  void Prime(FiberTask* task);
  void TaskMain(FiberTask* task);
  void ExitTask(FiberTask* task);
  void SwitchTo(FiberTask* next);
  void ReleaseTerminatedFibers();
  void FillResult(IterationResult& result);

  // fiber_steps.cc: the scheduling points (decisions, blocking, waking).
  void Reschedule(FiberTask* cur, bool yielded, bool may_throw = true);
  FiberTask* Decide(FiberTask* cur, bool yielded);
  bool CollectRunnable(FiberTask* cur, bool yielded);
  // Wakes every sleeper whose deadline is <= now_ns_.
  void WakeDueSleepers();
  void RunStepHooks();
  // Passes a written object to the world's AtEveryStepTouched checks.
  void NoteTouched(OpKind kind, const void* object);
  // The world's state at the end of step_ into the trace (probe_each_step
  // only); records nothing else and takes no step.
  void ProbeStepEnd();
  // The world's state probe, run so that its reads of instrumented state
  // add no ops, object ids or notes to the trace (the hash must not depend
  // on rendering). REQUIRES: the world has a state probe.
  StateSnapshot ProbeWithoutTrace();
  void ReportDeadlock();
  void ReportStepBudget();
  void ReportWallTime();
  void GiveUpStuck();
  std::string DescribeBlocked(const FiberTask& task) const;
  bool ShouldThrowOnAbort(OpKind kind) const;
  // Parks `cur` until woken (WakeBlockedOn(object)) or, if wake_ns >= 0,
  // until virtual time reaches wake_ns. `op` on `object` is what it retries
  // when it runs again. object == nullptr: a plain sleep.
  void Block(FiberTask* cur, OpKind op, const void* object, const char* label,
             const char* kind, const std::atomic<uint32_t>* owner,
             int64_t wake_ns);
  uint32_t LockHolderId() const {
    return current_ != nullptr && in_hook_ == 0 ? current_->ordinal()
                                                : kNonTaskOwner;
  }
  void WakeBlockedOn(const void* object);
  // IterationConfig::dpor (fiber_dpor_model.cc): lock enabledness, refined
  // footprints, spin-loop yields, stable object names.
  bool LockDisabled(const FiberTask& task) const;
  // Tells the strategy which lock attempts the run left waiting.
  void ReportLockedOut();
  void RefineFootprint(const FiberTask& task, Footprint& footprint) const;
  void SpinYield(FiberTask* cur);
  void NoteSpinAccess(FiberTask* task, uint32_t object, bool changed);
  bool WakeOneSpinner();
  // IterationConfig::state_keys (fiber_state_key.cc): the state a strategy
  // may cache (SchedulingPoint::state), kept up to date by every step.
  void NoteStateOp(FiberTask* task, OpKind op, uint32_t object, uint8_t bit,
                   int64_t before, int64_t after);
  void NoteObserved(FiberTask* task, uint64_t value);
  uint64_t StateKey() const;
  // IterationConfig::outcomes: IterationResult::outcome, or 0.
  uint64_t Outcome() const;
  // What each task sees is tracked (state_keys or outcomes).
  bool Tracking() const { return config_.state_keys || config_.outcomes; }
  // A pointer's value as the state names it: the pointee's first
  // instrumented member (its stable name and offset), never an address.
  int64_t PointeeName(const void* pointee);
  Footprint::Access FaultAccess(const PointInfo& point) const;
  // The object's name in footprints: who created it (creator ordinal << 24
  // | its creation count), else kUnnamed | its trace id.
  uint32_t StableId(const void* object, uint32_t trace_id) const;
  static constexpr uint32_t kUnnamed = 0x80000000u;
  // A fault point's rule state (its rules' counters): kFaultsBase | index.
  static constexpr uint32_t kFaultsBase = 0xff000000u;
  void MakeRunnable(FiberTask* task);
  void ReportModelError(const char* check, std::string message,
                        bool may_throw = true);
  std::string ContextName() const;
  uint32_t current_ordinal() const {
    return current_ != nullptr ? current_->ordinal() : 0;
  }
  bool InTaskContext() const {
    return current_ != nullptr && in_hook_ == 0 && !tearing_down_;
  }

  Strategy* const strategy_;
  // Armed from construction (the build included) to destruction.
  WallClockGuard wall_guard_;
  // The last decision's step and task, for GiveUpStuck on the watcher's
  // thread (release / acquire: the recorder's switches up to that step).
  std::atomic<uint64_t> published_steps_{0};
  std::atomic<uint32_t> published_task_{0};
  TraceRecorder recorder_;
  DeterministicAlgorithm* algo_ = nullptr;
  boost::fibers::context* main_ctx_ = nullptr;
  // The controller's stack, learned when it first switches to a task.
  StackBounds main_stack_;
  FiberTask* switched_from_ = nullptr;  // set by SwitchTo for the entered task
  std::vector<std::unique_ptr<FiberTask>> tasks_;
  FiberTask* current_ = nullptr;  // nullptr: the controller
  FiberTask* priming_ = nullptr;  // task running up to its first point
  FiberTask* primer_ = nullptr;   // who resumes when priming ends
  // Decision scratch, one slot per task (sized at spawn): the first
  // runnable_count_ entries are this step's candidates.
  std::vector<uint32_t> runnable_;
  std::vector<Footprint> footprints_;  // parallel to runnable_
  size_t runnable_count_ = 0;
  std::vector<Rcu*> rcus_;
  std::vector<Violation> violations_;
  uint64_t step_ = 0;
  int64_t now_ns_ = 0;
  // Earliest deadline of a sleeping or timed-waiting task; kNoWake if none.
  static constexpr int64_t kNoWake = INT64_MAX;
  int64_t next_wake_ns_ = kNoWake;
  int in_hook_ = 0;        // > 0: inside a step check or RCU callback
  bool aborting_ = false;  // a fatal violation ends the iteration
  bool no_throw_ = false;  // report violations without throwing
  bool tearing_down_ = false;
  int notify_waiters_ = 0;  // tasks in WaitUntil (wait_for rules)
  // Ops of the controller and of hooks (they are not steps).
  const void* side_object_ = nullptr;
  uint32_t side_id_ = 0;
  OpKind side_op_ = OpKind::kNote;
  // Every fault point hit writes this pseudo object and wait_for rules wait
  // on it, so the reduction orders them (rule counters are shared state).
  char fault_object_ = 0;
  // IterationConfig::dpor: handed from Lock/TryLock and OnSiteHit to the
  // BeforeOp they call.
  const std::atomic<uint32_t>* pending_owner_ = nullptr;
  Footprint::Access pending_fault_access_ = Footprint::Access::kWrite;
  uint32_t pending_fault_object_ = kFaultsBase;
  uint8_t pending_bit_ = Footprint::kAllBits;  // from BeforeBitOp
  bool pending_rcu_call_ = false;              // from BeforeRcuCall
  bool pending_add_ = false;                   // from BeforeAddOp
  const std::atomic<unsigned long>* pending_bit_word_ = nullptr;  // BitRmw
  bool pending_bit_set_ = false;
  char spin_object_ = 0;  // what spinning tasks block on
  absl::flat_hash_map<const void*, uint32_t> stable_ids_;
  std::vector<uint32_t> created_;  // per creator ordinal (0: controller)
  // IterationConfig::state_keys: the shared values' hash (a sum over
  // objects of a hash of (name, value), updated by every change), whether
  // some step touched an object without a stable name (then no state of
  // this run is named).
  uint64_t shared_values_ = 0;
  bool state_unnamed_ = false;
  // The strategy stopped this run (kStopRun).
  bool cut_short_ = false;
};

}  // namespace internal
}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RUNTIME_FIBER_FIBER_SCHEDULER_H_
