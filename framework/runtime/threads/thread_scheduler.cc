// The thread backend (see thread_scheduler.h).
#include "framework/runtime/threads/thread_scheduler.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "framework/check.h"
#include "framework/runtime/internal/deadline.h"
#include "framework/site_registry.h"

namespace faultline {
namespace internal {
namespace {

// The task this thread runs (nullptr on the controller thread).
thread_local ThreadTask* tls_thread_task = nullptr;

// How long tasks get to notice an abort after the watchdog fired.
constexpr std::chrono::seconds kAbortGrace(2);

}  // namespace

ThreadScheduler::ThreadScheduler(const IterationConfig& config)
    : Backend(config, this, this, /*concurrent=*/true),
      record_ops_(config.record_events),
      start_(std::chrono::steady_clock::now()),
      recorder_(config.record_events, 256) {}

ThreadScheduler::~ThreadScheduler() = default;

std::unique_ptr<Backend> NewThreadBackend(const IterationConfig& config) {
  return std::make_unique<ThreadScheduler>(config);
}

void ThreadScheduler::RunWorld(IterationResult& result) {
  building_ = false;
  if (result.build_status.ok() && !aborting_.load()) {
    StartSpawned();
    Watch();
  }
  JoinAll();
  if (!aborting_.load()) WorldAccess::RunQuiescenceChecks(*world_);
  FillResult(result);
  base::MutexLock lock(&mu_);
  if (recorder_.keep_events() && WorldAccess::ops_shown(*world_) != nullptr) {
    recorder_.HideObjects(WorldAccess::ops_shown(*world_));
  }
  tasks_.clear();  // task bodies may refer to world objects
}

void ThreadScheduler::AfterWorld(IterationResult& result) {
  base::MutexLock lock(&mu_);
  result.trace = recorder_.Finish();
}

void ThreadScheduler::StartSpawned() {
  base::MutexLock spawn_lock(&spawn_mu_);
  for (WorldAccess::TaskSpec& spec : WorldAccess::TakeSpawned(*world_)) {
    auto task = std::make_unique<ThreadTask>();
    task->identity = run_->NewTask(spec.name, spec.role);
    FL_CHECK(task->identity->ordinal == spec.ordinal);
    task->body = std::move(spec.body);
    ThreadTask* raw = task.get();
    {
      base::MutexLock lock(&mu_);
      FL_CHECK(spec.ordinal == tasks_.size() + 1);
      recorder_.AddTask(spec.ordinal, spec.name, spec.role);
      recorder_.Event({ops_.load(),
                       spec.ordinal,
                       TraceEventKind::kSpawn,
                       OpKind::kSpawn,
                       0,
                       0,
                       0,
                       spec.name,
                       {}});
      tasks_.push_back(std::move(task));
    }
    raw->thread = std::thread([this, raw] { TaskMain(raw); });
  }
}

void ThreadScheduler::TaskMain(ThreadTask* task) {
  ScopedScheduler install_scheduler(this);
  ScopedRunContext install_run(run_);
  SetCurrentTask(task->identity.get());
  tls_thread_task = task;
  if (!aborting_.load()) {
    try {
      task->body();
    } catch (const IterationAborted&) {
      FL_CHECK(aborting_.load());
    } catch (const std::exception& e) {
      ReportModelError("task.exception",
                       absl::StrCat("uncaught exception: ", e.what()));
    } catch (...) {
      ReportModelError("task.exception", "uncaught non-std exception");
    }
  }
  tls_thread_task = nullptr;
  SetCurrentTask(nullptr);
  base::MutexLock lock(&mu_);
  recorder_.Event({ops_.load(),
                   task->identity->ordinal,
                   TraceEventKind::kExit,
                   OpKind::kNote,
                   0,
                   0,
                   0,
                   "",
                   {}});
  task->done.store(true);
  ++finished_;
  finished_cv_.SignalAll();
}

void ThreadScheduler::Watch() {
  // The monotonic clock: a step of the wall clock (a fresh machine's first
  // time sync) must not look like a run that took ten seconds.
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline =
      RealDeadline(Clock::now(), config_.thread_timeout_ms * int64_t{1000000});
  {
    base::MutexLock lock(&mu_);
    while (finished_ < tasks_.size() && Clock::now() < deadline) {
      finished_cv_.WaitUntil(&mu_, deadline);
    }
    if (finished_ == tasks_.size()) return;
  }
  const std::string stuck = DescribeUnfinished();
  ReportModelError("watchdog.timeout",
                   absl::StrCat("run exceeded ", config_.thread_timeout_ms,
                                " ms; unfinished: ", stuck));
  const Clock::time_point grace_end = Clock::now() + kAbortGrace;
  base::MutexLock lock(&mu_);
  while (finished_ < tasks_.size() && Clock::now() < grace_end) {
    finished_cv_.WaitUntil(&mu_, grace_end);
  }
  if (finished_ < tasks_.size()) {
    // A task loops in code with no scheduling point: it cannot be stopped,
    // and the process must not hang. An exit status, not SIGABRT: this is a
    // finding about the model (a livelock), not a crash of faultline.
    std::fprintf(stderr,
                 "faultline: watchdog.timeout: run exceeded %lld ms and tasks "
                 "did not stop within %lld s of the abort (no instrumented "
                 "operation in their loop?): %s; the process exits with "
                 "status 1\n",
                 static_cast<long long>(config_.thread_timeout_ms),
                 static_cast<long long>(kAbortGrace.count()), stuck.c_str());
    std::fflush(stderr);
    std::_Exit(1);
  }
}

std::string ThreadScheduler::DescribeUnfinished() {
  base::MutexLock lock(&mu_);
  std::vector<std::string> parts;
  for (auto& task : tasks_) {
    if (task->done.load()) continue;
    std::string part = absl::StrCat("task '", task->identity->name, "' (#",
                                    task->identity->ordinal, ")");
    const char* label = task->waiting_label.load();
    const char* kind = task->waiting_kind.load();
    const std::atomic<uint32_t>* owner = task->waiting_owner.load();
    if (label == nullptr || kind == nullptr) {
      absl::StrAppend(&part, " running");
    } else {
      absl::StrAppend(&part, " waits for ", kind, " '", label, "'");
      const uint32_t holder = owner != nullptr ? owner->load() : 0;
      if (holder >= 1 && holder <= tasks_.size()) {
        absl::StrAppend(&part, " held by '", tasks_[holder - 1]->identity->name,
                        "' (#", holder, ")");
      }
    }
    parts.push_back(std::move(part));
  }
  return absl::StrJoin(parts, "; ");
}

void ThreadScheduler::JoinAll() {
  // Tasks may still spawn while others are joined: loop until none is new.
  for (size_t i = 0;; ++i) {
    ThreadTask* task = nullptr;
    {
      base::MutexLock lock(&mu_);
      if (i >= tasks_.size()) return;
      task = tasks_[i].get();
    }
    if (task->thread.joinable()) task->thread.join();
  }
}

void ThreadScheduler::FillResult(IterationResult& result) {
  base::MutexLock lock(&mu_);
  result.violations = violations_;
  result.steps = ops_.load();
  result.virtual_ns = NowNs();
  FillCounters(result);
}

void ThreadScheduler::RecordEvent(TraceEvent event) {
  base::MutexLock lock(&mu_);
  recorder_.Event(std::move(event));
}

uint32_t ThreadScheduler::LockHolderId() const {
  const TaskIdentity* task = CurrentTask();
  return task != nullptr && task->ordinal != 0 ? task->ordinal : kNonTaskOwner;
}

ThreadTask* ThreadScheduler::CurrentThreadTask() const {
  return tls_thread_task;
}

void ThreadScheduler::ReportModelError(const char* check, std::string message) {
  Violation violation;
  violation.check = check;
  violation.message = std::move(message);
  violation.fatal = true;
  // From a catch handler or the controller: OnViolation must not throw.
  ThreadTask* saved = tls_thread_task;
  tls_thread_task = nullptr;
  run_->ReportViolation(std::move(violation));
  tls_thread_task = saved;
}

void ThreadScheduler::OnViolation(const Violation& violation) {
  Violation copy = violation;
  copy.step = ops_.load();
  {
    base::MutexLock lock(&mu_);
    recorder_.Event({copy.step,
                     CurrentTask() ? CurrentTask()->ordinal : 0,
                     TraceEventKind::kViolation,
                     OpKind::kNote,
                     0,
                     0,
                     0,
                     absl::StrCat(copy.check, ": ", copy.message),
                     {}});
    violations_.push_back(std::move(copy));
  }
  if (!violation.fatal) return;
  aborting_.store(true);
  Broadcast();  // waiters re-check and notice the abort
  CheckAbort();
}

void ThreadScheduler::CheckAbort() {
  if (aborting_.load(std::memory_order_relaxed) && tls_thread_task != nullptr &&
      std::uncaught_exceptions() == 0) {
    throw IterationAborted{};
  }
}

}  // namespace internal
}  // namespace faultline
