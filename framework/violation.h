// -----------------------------------------------------------------------------
// File: violation.h
// -----------------------------------------------------------------------------
//
// A Violation is what instrumented code reports instead of crashing: a named
// check (e.g. "btrfs_release_extent_buffer_pages.under_io"), a message, and
// where and by whom it was hit. FL_BUG_ON / FL_WARN_ON (check.h) create them;
// invariant hooks of the runtime create them at quiescence; the explorer turns
// them into report entries with replay tokens.

#ifndef FAULTLINE_FRAMEWORK_VIOLATION_H_
#define FAULTLINE_FRAMEWORK_VIOLATION_H_

#include <cstdint>
#include <string>

namespace faultline {

struct Violation {
  std::string check;    // stable dotted name, what expectations refer to
  std::string message;  // human text: the condition and the values seen
  std::string task;     // name of the task that hit it ("" if none)
  std::string file;
  int line = 0;
  uint64_t step = 0;  // scheduling step at which it was hit (fibers)
  bool fatal = true;  // BUG_ON (ends the iteration) vs WARN_ON
};

// Thrown by an Executor after recording a fatal Violation so the task that
// hit it unwinds; runtime backends catch it at the task's entry. Instrumented
// code must not catch it.
struct IterationAborted {};

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_VIOLATION_H_
