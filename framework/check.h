// -----------------------------------------------------------------------------
// File: check.h
// -----------------------------------------------------------------------------
//
// Checks for instrumented code and for faultline itself.
//
//   FL_BUG_ON(cond, check)   Model bug: if `cond` holds, record a fatal
//                            Violation named `check` in the current run and
//                            end the iteration (the task unwinds). Outside
//                            any run it aborts like the kernel's BUG_ON.
//   FL_WARN_ON(cond, check)  Model warning: records a non-fatal Violation and
//                            evaluates to `cond`, like the kernel's WARN_ON.
//   FL_CHECK(cond)           Framework bug: aborts the process with a message.
//
// `check` is a string literal naming the invariant, dotted like fault point
// names; plan expectations refer to it.
//
// Example:
//   FL_BUG_ON(extent_buffer_under_io(eb),
//             "btrfs_release_extent_buffer_pages.under_io");

#ifndef FAULTLINE_FRAMEWORK_CHECK_H_
#define FAULTLINE_FRAMEWORK_CHECK_H_

#include <string>

#include "absl/base/optimization.h"
#include "absl/strings/string_view.h"
#include "framework/violation.h"

namespace faultline {
namespace internal {

// Records the violation with the current run; throws IterationAborted when
// `fatal`. Without a run: prints and aborts if fatal, prints if not.
void ReportCheckFailure(absl::string_view check, absl::string_view condition,
                        const char* file, int line, bool fatal);

// Where ReportCheckFailure sends a violation: the run installed on the
// calling thread, if any (false: none). The run context registers it when a
// run is made (run_context.cc), so that this target needs nothing of the
// core.
using CheckReporter = bool (*)(const Violation& violation);
void SetCheckReporter(CheckReporter reporter);

[[noreturn]] void CheckFailed(const char* condition, const char* file,
                              int line);

}  // namespace internal
}  // namespace faultline

#define FL_BUG_ON(cond, check)                                          \
  do {                                                                  \
    if (ABSL_PREDICT_FALSE(cond)) {                                     \
      ::faultline::internal::ReportCheckFailure(check, #cond, __FILE__, \
                                                __LINE__, true);        \
    }                                                                   \
  } while (0)

#define FL_WARN_ON(cond, check)                                     \
  ([&]() -> bool {                                                  \
    bool fl_cond = static_cast<bool>(cond);                         \
    if (ABSL_PREDICT_FALSE(fl_cond)) {                              \
      ::faultline::internal::ReportCheckFailure(check, #cond,       \
                                                __FILE__, __LINE__, \
                                                false);             \
    }                                                               \
    return fl_cond;                                                 \
  }())

#define FL_CHECK(cond)                                                 \
  do {                                                                 \
    if (ABSL_PREDICT_FALSE(!(cond))) {                                 \
      ::faultline::internal::CheckFailed(#cond, __FILE__, __LINE__);   \
    }                                                                  \
  } while (0)

#endif  // FAULTLINE_FRAMEWORK_CHECK_H_
