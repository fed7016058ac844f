// FL_BUG_ON / FL_WARN_ON reporting and FL_CHECK failure (see check.h).
#include "framework/check.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"

namespace faultline {
namespace internal {
namespace {

std::atomic<CheckReporter> check_reporter{nullptr};

}  // namespace

void SetCheckReporter(CheckReporter reporter) {
  check_reporter.store(reporter, std::memory_order_release);
}

void ReportCheckFailure(absl::string_view check, absl::string_view condition,
                        const char* file, int line, bool fatal) {
  Violation violation;
  violation.check = std::string(check);
  violation.message =
      absl::StrCat(fatal ? "BUG_ON(" : "WARN_ON(", condition, ")");
  violation.file = file;
  violation.line = line;
  violation.fatal = fatal;
  const CheckReporter reporter = check_reporter.load(std::memory_order_acquire);
  if (reporter == nullptr || !reporter(violation)) {
    std::fprintf(stderr, "%s: %s: %.*s (%.*s) at %s:%d\n",
                 fatal ? "BUG" : "WARNING", fatal ? "BUG_ON" : "WARN_ON",
                 static_cast<int>(check.size()), check.data(),
                 static_cast<int>(condition.size()), condition.data(), file,
                 line);
    if (fatal) std::abort();
  }
}

void CheckFailed(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "faultline: FL_CHECK failed: %s at %s:%d\n", condition,
               file, line);
  std::abort();
}

}  // namespace internal
}  // namespace faultline
