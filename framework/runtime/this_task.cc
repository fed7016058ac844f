// this_task: dispatch to the backend running the current task, or act on
// the real thread (see this_task.h).
#include "framework/runtime/this_task.h"

#include <chrono>
#include <thread>

#include "framework/internal/task_identity.h"
#include "framework/run_context.h"
#include "framework/runtime/internal/scheduler.h"

namespace faultline {
namespace this_task {

void SleepFor(absl::Duration duration) {
  const int64_t ns = absl::ToInt64Nanoseconds(duration);
  internal::Scheduler* sched = internal::CurrentScheduler();
  if (sched != nullptr) {
    sched->SleepFor(ns);
    return;
  }
  if (ns > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(ns));
}

void Yield() {
  internal::Scheduler* sched = internal::CurrentScheduler();
  if (sched != nullptr) {
    sched->Yield();
    return;
  }
  std::this_thread::yield();
}

int64_t NowNs() {
  internal::Scheduler* sched = internal::CurrentScheduler();
  if (sched != nullptr) return sched->NowNs();
  // No iteration: time since the first call in this process.
  static const auto start = std::chrono::steady_clock::now();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now() - start)
      .count();
}

void Note(absl::string_view text) {
  internal::Scheduler* sched = internal::CurrentScheduler();
  if (sched != nullptr) sched->Note(text);
}

std::string Name() {
  internal::Scheduler* sched = internal::CurrentScheduler();
  if (sched != nullptr) return sched->CurrentTaskName();
  const TaskIdentity* task = CurrentTask();
  return task != nullptr ? task->name : "";
}

}  // namespace this_task
}  // namespace faultline
