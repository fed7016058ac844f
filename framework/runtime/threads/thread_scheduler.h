// -----------------------------------------------------------------------------
// File: threads/thread_scheduler.h
// -----------------------------------------------------------------------------
//
// The thread backend: one std::thread per task, real time, real spinning.
// The RunContext, World, primitives and fault points are the same as under
// fibers; what changes is that the OS interleaves the tasks, so a run is not
// reproducible step by step (fault decisions still are, per task: they are
// keyed by seed, point, task ordinal and hit). With record_events the trace
// keeps every operation too, with its values before and after, in the order
// the tasks finished them (one lock per operation: what a trace of real
// threads can say, not the memory order of every access); without it, only
// the counts.
//
// Aborting: a fatal violation sets an abort flag that every scheduling point,
// spin loop, wait and sleep checks; tasks then unwind with IterationAborted.
// A watchdog bounds the whole run (IterationConfig::thread_timeout_ms): at
// the deadline it records "watchdog.timeout" naming the unfinished tasks and
// what they wait for, aborts, and if a task still does not finish within a
// grace period (it loops in uninstrumented code) the process is aborted with
// that message rather than left hanging.
//
// Thread-safety: all members may be called from any task thread.

#ifndef FAULTLINE_FRAMEWORK_RUNTIME_THREADS_THREAD_SCHEDULER_H_
#define FAULTLINE_FRAMEWORK_RUNTIME_THREADS_THREAD_SCHEDULER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "framework/base/cond_var.h"
#include "framework/base/mutex.h"
#include "framework/internal/task_identity.h"
#include "framework/run_context.h"
#include "framework/runtime/internal/backend.h"
#include "framework/runtime/internal/scheduler.h"
#include "framework/runtime/internal/world_access.h"
#include "framework/runtime/iteration_config.h"
#include "framework/runtime/trace/trace_recorder.h"
#include "framework/runtime/world.h"

namespace faultline {
namespace internal {

struct ThreadTask {
  std::unique_ptr<TaskIdentity> identity;
  std::function<void()> body;
  std::thread thread;
  std::atomic<bool> done{false};
  // What the task waits for right now (for watchdog reports), or nullptr.
  std::atomic<const char*> waiting_label{nullptr};
  std::atomic<const char*> waiting_kind{nullptr};
  std::atomic<const std::atomic<uint32_t>*> waiting_owner{nullptr};
};

// Clears a task's "waiting for" fields on every exit path.
class WaitingMark {
 public:
  WaitingMark(ThreadTask* task, const char* kind, const char* label,
              const std::atomic<uint32_t>* owner)
      : task_(task) {
    if (task_ == nullptr) return;
    task_->waiting_owner.store(owner);
    task_->waiting_kind.store(kind);
    task_->waiting_label.store(label);
  }
  ~WaitingMark() {
    if (task_ == nullptr) return;
    task_->waiting_label.store(nullptr);
    task_->waiting_kind.store(nullptr);
    task_->waiting_owner.store(nullptr);
  }

 private:
  ThreadTask* task_;
};

class ThreadScheduler final : public Scheduler,
                              public Executor,
                              public Backend {
 public:
  explicit ThreadScheduler(const IterationConfig& config);
  ~ThreadScheduler() override;
  ThreadScheduler(const ThreadScheduler&) = delete;
  ThreadScheduler& operator=(const ThreadScheduler&) = delete;

  // Scheduler.
  void BeforeOp(OpKind kind, const void* object, const char* label) override;
  void AfterOp(const void* object, int64_t before, int64_t after) override;
  void AfterPointerOp(const void* object, const void* before,
                      const void* after) override;
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
  void Yield() override;
  int64_t NowNs() const override;
  void Note(absl::string_view text) override;
  std::string CurrentTaskName() const override;
  void OnSpawn(World& world) override;
  void RegisterRcu(Rcu* rcu) override {}
  void UnregisterRcu(Rcu* rcu) override {}
  bool PollsRcu() const override { return false; }
  void CheckAbort() override;

  // Executor.
  void OnSiteHit(const PointInfo& point, uint64_t key) override;
  void OnRuleFired(const CompiledRule& rule, uint64_t key) override;
  void Delay(int64_t ns) override { SleepFor(ns); }
  bool WaitUntil(absl::FunctionRef<bool()> ready, int64_t timeout_ns) override;
  void OnViolation(const Violation& violation) override;

 private:
  void RunWorld(IterationResult& result) override;
  void AfterWorld(IterationResult& result) override;
  void StartSpawned();
  void TaskMain(ThreadTask* task);
  void Watch();
  std::string DescribeUnfinished();
  void JoinAll();
  void RecordEvent(TraceEvent event);
  // Appends the operation this thread's last BeforeOp announced, if it was
  // on `object` (record_events only). With `pointees`, before and after are
  // pointers, recorded as trace object ids.
  void RecordOp(const void* object, int64_t before, int64_t after,
                bool pointees = false);
  void Broadcast();
  ThreadTask* CurrentThreadTask() const;
  // A fatal violation found by the backend itself (not by a check).
  void ReportModelError(const char* check, std::string message);
  // The lock word value for locks the current task takes.
  uint32_t LockHolderId() const;
  void FillResult(IterationResult& result);

  const bool record_ops_;  // config_.record_events, read without mu_
  const std::chrono::steady_clock::time_point start_;
  std::atomic<bool> aborting_{false};
  std::atomic<uint64_t> ops_{0};
  bool building_ = true;

  // base:: locks (std:: types inside) throughout, so that TSAN sees the
  // backend's own synchronization and reports only the program's races
  // (base/mutex.h).
  base::Mutex mu_;
  std::vector<std::unique_ptr<ThreadTask>> tasks_ ABSL_GUARDED_BY(mu_);
  TraceRecorder recorder_ ABSL_GUARDED_BY(mu_);
  std::vector<Violation> violations_ ABSL_GUARDED_BY(mu_);
  size_t finished_ ABSL_GUARDED_BY(mu_) = 0;
  base::CondVar finished_cv_;  // finished_ grew
  base::Mutex spawn_mu_;       // keeps World and RunContext ordinals in step

  base::Mutex wait_mu_;
  base::CondVar wait_cv_;  // wake_generation_ grew
  std::atomic<uint64_t> wake_generation_{0};
};

}  // namespace internal
}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RUNTIME_THREADS_THREAD_SCHEDULER_H_
