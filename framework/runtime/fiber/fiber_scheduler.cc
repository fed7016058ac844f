// The fiber backend's run: the Boost.Fiber algorithm, task creation and
// priming, switching, and the controller's part of an iteration (see
// fiber_scheduler.h).
#include "framework/runtime/fiber/fiber_scheduler.h"

#include <exception>
#include <utility>

#include "absl/strings/str_cat.h"
#include "framework/check.h"
#include "framework/runtime/rcu.h"

namespace faultline {
namespace internal {
namespace {

// Model code may recurse (tree walks); the guard page turns an overflow into
// a crash at the fault rather than silent corruption. Stacks come from a
// per-thread pool, so iterations after the first map none.
constexpr size_t kStackBytes = 256 * 1024;

}  // namespace

// --- DeterministicAlgorithm

void DeterministicAlgorithm::awakened(boost::fibers::context* ctx) noexcept {
  FL_CHECK(ctx != nullptr);
  FL_CHECK(!ctx->ready_is_linked());
  ctx->ready_link(queue_);
  last_awakened_ = ctx;
}

boost::fibers::context* DeterministicAlgorithm::pick_next() noexcept {
  boost::fibers::context* next = chosen_;
  if (next != nullptr) {
    chosen_ = nullptr;
    // Chosen contexts are parked by a direct switch (SwitchTo), and new
    // fibers leave the queue at creation (AdoptSpawned): none is queued.
    FL_CHECK(!next->ready_is_linked());
    return next;
  }
  if (queue_.empty()) return nullptr;
  next = &queue_.front();
  queue_.pop_front();
  return next;
}

void DeterministicAlgorithm::suspend_until(
    std::chrono::steady_clock::time_point const& until) noexcept {
  // Reached only outside iterations (other fiber users of this thread):
  // iterations always name the next context.
  base::MutexLock lock(&mu_);
  if (until == (std::chrono::steady_clock::time_point::max)()) {
    while (!notified_) cv_.Wait(&mu_);
  } else {
    while (!notified_ && cv_.WaitUntil(&mu_, until)) {
    }
  }
  notified_ = false;
}

void DeterministicAlgorithm::notify() noexcept {
  {
    base::MutexLock lock(&mu_);
    notified_ = true;
  }
  cv_.SignalAll();
}

// --- FiberScheduler: the run

FiberScheduler::FiberScheduler(const IterationConfig& config)
    : Backend(config, this, this, /*concurrent=*/false),
      strategy_(config.strategy),
      wall_guard_(config.wall_time_limit_ms, &config.scenario->name,
                  [this] { GiveUpStuck(); }),
      recorder_(config.record_events,
                std::min<uint64_t>(config.max_steps + 1, 4096)) {
  FL_CHECK(config_.step_ns >= 0);
}

FiberScheduler::~FiberScheduler() = default;

std::unique_ptr<Backend> NewFiberBackend(const IterationConfig& config) {
  return std::make_unique<FiberScheduler>(config);
}

void FiberScheduler::BeforeRun() {
  boost::fibers::use_scheduling_algorithm<DeterministicAlgorithm>(&algo_);
  FL_CHECK(algo_ != nullptr);
  main_ctx_ = boost::fibers::context::active();
}

void FiberScheduler::RunWorld(IterationResult& result) {
  if (result.build_status.ok() && !aborting_) RunTasks();
  result.outcome = Outcome();
  ReportLockedOut();
  UnwindTasks();
  if (!aborting_) RunQuiescence();
  if (recorder_.keep_events() && WorldAccess::ops_shown(*world_) != nullptr) {
    recorder_.HideObjects(WorldAccess::ops_shown(*world_));
  }
  FillResult(result);
  tearing_down_ = true;
  // Task bodies may hold references to world objects: drop them first.
  tasks_.clear();
}

void FiberScheduler::AfterWorld(IterationResult& result) {
  // Violations reported by the world's destructors count too (while tearing
  // down they are recorded, never thrown).
  result.violations = violations_;
  ReleaseTerminatedFibers();
  result.trace = recorder_.Finish();
}

void FiberScheduler::RunTasks() {
  AdoptSpawned();
  for (auto& task : tasks_) {
    if (aborting_) return;
    if (task->state == TaskState::kNew) Prime(task.get());
  }
  if (aborting_) return;
  FiberTask* first = nullptr;
  try {
    first = Decide(nullptr, false);
  } catch (const IterationAborted&) {
    FL_CHECK(aborting_);  // a step check failed before the first step
    return;
  }
  // Resumed when every task finished or the iteration aborts.
  if (first != nullptr) SwitchTo(first);
  FL_CHECK(current_ == nullptr);
}

void FiberScheduler::UnwindTasks() {
  // After an abort every unfinished task is resumed once: its scheduling
  // point throws IterationAborted and the task unwinds back to TaskMain.
  for (;;) {
    FiberTask* next = nullptr;
    for (auto& task : tasks_) {
      if (task->state != TaskState::kDone) {
        next = task.get();
        break;
      }
    }
    if (next == nullptr) break;
    FL_CHECK(aborting_);
    SwitchTo(next);
    FL_CHECK(next->state == TaskState::kDone);
  }
  for (auto& task : tasks_) {
    if (task->fiber.joinable()) task->fiber.join();  // all terminated
  }
}

void FiberScheduler::RunQuiescence() {
  no_throw_ = false;
  try {
    for (Rcu* rcu : rcus_) rcu->Poll();
    WorldAccess::RunQuiescenceChecks(*world_);
  } catch (const IterationAborted&) {
    FL_CHECK(aborting_);
  }
}

void FiberScheduler::AdoptSpawned() {
  for (WorldAccess::TaskSpec& spec : WorldAccess::TakeSpawned(*world_)) {
    auto task = std::make_unique<FiberTask>();
    task->identity = run_->NewTask(spec.name, spec.role);
    // World and RunContext both number tasks in spawn order.
    FL_CHECK(task->identity->ordinal == spec.ordinal);
    FL_CHECK(spec.ordinal == tasks_.size() + 1);
    task->body = std::move(spec.body);
    recorder_.AddTask(spec.ordinal, spec.name, spec.role);
    FiberTask* raw = task.get();
    tasks_.push_back(std::move(task));
    raw->fiber =
        boost::fibers::fiber(std::allocator_arg, PooledStack(kStackBytes),
                             [this, raw] { TaskMain(raw); });
    raw->ctx = algo_->last_awakened();
    FL_CHECK(raw->ctx != nullptr && raw->ctx != main_ctx_);
    const boost::context::stack_context stack =
        PooledStack::LastAllocatedOnThisThread();
    raw->stack = {static_cast<const char*>(stack.sp) - stack.size, stack.size};
    // Boost queued the new fiber as ready; it runs only when switched to.
    raw->ctx->ready_unlink();
    recorder_.Event({step_,
                     current_ordinal(),
                     TraceEventKind::kSpawn,
                     OpKind::kSpawn,
                     0,
                     0,
                     0,
                     spec.name,
                     {}});
  }
  runnable_.resize(tasks_.size());
  footprints_.resize(tasks_.size());
}

void FiberScheduler::Prime(FiberTask* task) {
  FL_CHECK(task->state == TaskState::kNew);
  FL_CHECK(priming_ == nullptr);
  primer_ = current_;
  priming_ = task;
  SwitchTo(task);
  // Back when `task` parked before its first operation or finished.
  FL_CHECK(priming_ == nullptr);
  FL_CHECK(task->state != TaskState::kNew);
}

void FiberScheduler::TaskMain(FiberTask* task) {
  StackBounds from;
  FinishStackSwitch(nullptr, &from);
  if (switched_from_ == nullptr) main_stack_ = from;
  FL_CHECK(current_ == task);
  if (!aborting_) {
    try {
      task->body();
    } catch (const IterationAborted&) {
      FL_CHECK(aborting_);  // the violation is recorded already
    } catch (const std::exception& e) {
      // In a handler: record only, the task is finishing anyway.
      ReportModelError("task.exception",
                       absl::StrCat("uncaught exception: ", e.what()),
                       /*may_throw=*/false);
    } catch (...) {
      ReportModelError("task.exception", "uncaught non-std exception",
                       /*may_throw=*/false);
    }
  }
  ExitTask(task);
  // Boost now resumes the context ExitTask chose; this stack is done.
  StartStackSwitch(nullptr,
                   current_ != nullptr ? current_->stack : main_stack_);
}

void FiberScheduler::ExitTask(FiberTask* task) {
  task->state = TaskState::kDone;
  recorder_.Event({step_,
                   task->ordinal(),
                   TraceEventKind::kExit,
                   OpKind::kNote,
                   0,
                   0,
                   0,
                   "",
                   {}});
  FiberTask* next = nullptr;
  if (priming_ == task) {
    priming_ = nullptr;
    next = primer_;
  } else if (!aborting_) {
    // The exit hands the step on; a violation found now cannot be thrown
    // (the body is gone), so it is only recorded.
    no_throw_ = true;
    next = Decide(task, false);
    no_throw_ = false;
  }
  // Returning from the fiber function terminates the fiber and resumes
  // whatever pick_next() returns: make that `next`.
  current_ = next;
  SetCurrentTask(next != nullptr ? next->identity.get() : nullptr);
  algo_->Choose(next != nullptr ? next->ctx : main_ctx_);
}

void FiberScheduler::SwitchTo(FiberTask* next) {
  FiberTask* self = current_;
  FL_CHECK(next != self);
  current_ = next;
  SetCurrentTask(next != nullptr ? next->identity.get() : nullptr);
  boost::fibers::context* target = next != nullptr ? next->ctx : main_ctx_;
  // A direct switch: context::resume() parks this context (in no queue)
  // and runs `target`, skipping Boost's scheduler round trip (awakened,
  // pick_next, the dispatcher check) that this_fiber::yield() makes; the
  // step costs about half as much (BENCHMARKS.md). No task context is in
  // the algorithm's queue (AdoptSpawned takes new ones out), so none needs
  // unlinking here.
  void* fake_stack = nullptr;
  switched_from_ = self;
  StartStackSwitch(&fake_stack, next != nullptr ? next->stack : main_stack_);
  target->resume();
  FinishStackSwitch(fake_stack, nullptr);
  // Whoever resumed us set current_ to us.
  FL_CHECK(current_ == self);
}

void FiberScheduler::ReleaseTerminatedFibers() {
  // Boost frees terminated fibers' stacks in its dispatcher context, which
  // iterations otherwise never enter: pass through it once.
  algo_->Choose(nullptr);
  boost::this_fiber::yield();
  FL_CHECK(boost::fibers::context::active() == main_ctx_);
}

void FiberScheduler::FillResult(IterationResult& result) {
  result.violations = violations_;
  result.steps = step_;
  result.virtual_ns = now_ns_;
  result.cut_short = cut_short_;
  FillCounters(result);
}

}  // namespace internal
}  // namespace faultline
