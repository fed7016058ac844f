// -----------------------------------------------------------------------------
// File: this_task.h
// -----------------------------------------------------------------------------
//
// What the running task can do besides touching shared state: sleep (virtual
// time under fibers), yield, read the clock, and annotate the trace with a
// model-level note ("find_extent_buffer: found") that the renderer shows in
// the task's column together with the world's state probe.
//
// Outside any backend these act on the real thread (Note is dropped).
//
// Example:
//   faultline::this_task::Note("trylock_page failed -> unlock_exit");
//   faultline::this_task::SleepFor(absl::Microseconds(50));

#ifndef FAULTLINE_FRAMEWORK_RUNTIME_THIS_TASK_H_
#define FAULTLINE_FRAMEWORK_RUNTIME_THIS_TASK_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace faultline {
namespace this_task {

void SleepFor(absl::Duration duration);
void Yield();
// Nanoseconds since the iteration started (virtual under fibers).
int64_t NowNs();
// Adds a note to the trace in the current task's column.
void Note(absl::string_view text);
// The current task's name ("" outside a backend).
std::string Name();

}  // namespace this_task
}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RUNTIME_THIS_TASK_H_
