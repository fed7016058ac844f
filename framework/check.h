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
// names; plan expectations refer to it. Each use of FL_BUG_ON / FL_WARN_ON
// registers a static CheckDescriptor before main(), so CheckRegistry
// (check_registry.h) knows every check name a binary can report and the plan
// loader rejects a misspelt one before anything runs.
//
// Example:
//   FL_BUG_ON(extent_buffer_under_io(eb),
//             "btrfs_release_extent_buffer_pages.under_io");

#ifndef FAULTLINE_FRAMEWORK_CHECK_H_
#define FAULTLINE_FRAMEWORK_CHECK_H_

#include <string>
#include <vector>

#include "absl/base/optimization.h"
#include "absl/strings/string_view.h"
#include "framework/violation.h"

namespace faultline {

// One static descriptor per FL_BUG_ON / FL_WARN_ON use. Constant-initialized
// (the name is a literal), so it exists before any constructor runs.
struct CheckDescriptor {
  const char* name;
  const char* file;
  int line;
  bool fatal;
};

namespace internal {

// Every CheckDescriptor registered so far (check_registry.h reads it).
inline std::vector<const CheckDescriptor*>& RegisteredChecks() {
  static auto* checks = new std::vector<const CheckDescriptor*>;
  return *checks;
}

inline bool RegisterCheck(const CheckDescriptor* check) {
  RegisteredChecks().push_back(check);
  return true;
}

// `registered` is deliberately not const: Clang 14 instantiates a const
// static member at once (it might be a constant expression), and doing that
// from inside a lambda whose return type is not yet deduced crashes the
// compiler (the --config=fuzz build of every FL_BUG_ON in a lambda). A
// mutable one is instantiated at the end of the file, as GCC does anyway.
template <const CheckDescriptor* kCheck>
struct CheckRegistrar {
  static inline bool registered = RegisterCheck(kCheck);
};

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

// Registers `check` before main(): the descriptor's address instantiates
// CheckRegistrar, whose static member is initialized at load time even if
// the code around the check never runs. (An ELF section like the fault
// points' cannot be used: GCC refuses to put a static of an inline function
// and one of an ordinary function in the same named section.) The `"" check`
// concatenation makes a name that is not a string literal a compile error.
#define FL_INTERNAL_CHECK_SITE(check, fatal)                                   \
  do {                                                                         \
    static constexpr ::faultline::CheckDescriptor fl_check{"" check, __FILE__, \
                                                           __LINE__, fatal};   \
    (void)&::faultline::internal::CheckRegistrar<&fl_check>::registered;       \
  } while (0)

#define FL_BUG_ON(cond, check)                                          \
  do {                                                                  \
    FL_INTERNAL_CHECK_SITE(check, true);                                \
    if (ABSL_PREDICT_FALSE(cond)) {                                     \
      ::faultline::internal::ReportCheckFailure(check, #cond, __FILE__, \
                                                __LINE__, true);        \
    }                                                                   \
  } while (0)

#define FL_WARN_ON(cond, check)                                         \
  ([&]() -> bool {                                                      \
    FL_INTERNAL_CHECK_SITE(check, false);                               \
    bool fl_cond = static_cast<bool>(cond);                             \
    if (ABSL_PREDICT_FALSE(fl_cond)) {                                  \
      ::faultline::internal::ReportCheckFailure(check, #cond, __FILE__, \
                                                __LINE__, false);       \
    }                                                                   \
    return fl_cond;                                                     \
  }())

#define FL_CHECK(cond)                                               \
  do {                                                               \
    if (ABSL_PREDICT_FALSE(!(cond))) {                               \
      ::faultline::internal::CheckFailed(#cond, __FILE__, __LINE__); \
    }                                                                \
  } while (0)

#endif  // FAULTLINE_FRAMEWORK_CHECK_H_
