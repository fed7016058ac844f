// The progress bar and progress lines of `faultline run` (see
// progress_display.h).
#include "framework/explore/progress_display.h"

#include <string>

#include "absl/strings/str_format.h"
#include "framework/check.h"

namespace faultline {

ProgressDisplay::ProgressDisplay(ExplorerOptions::Progress mode,
                                 std::ostream& err)
    : mode_(mode), err_(err), start_(std::chrono::steady_clock::now()) {}

Explorer::ProgressFn ProgressDisplay::Callback() {
  if (mode_ == ExplorerOptions::Progress::kNone) return nullptr;
  return [this](uint64_t done, uint64_t total, uint64_t found) {
    Update(done, total, found);
  };
}

void ProgressDisplay::Update(uint64_t done, uint64_t total, uint64_t found) {
  if (total == 0) return;
  FL_CHECK(done <= total);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_)
          .count();
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  const std::string timing =
      absl::StrFormat("%.1f s, %.0f schedules/s", seconds, rate);
  if (mode_ == ExplorerOptions::Progress::kBar) {
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(done * kWidth / total);
    err_ << absl::StrFormat(
                "\r  [%s%s] %d/%d iterations, %d violated checks, %s",
                std::string(filled, '#'), std::string(kWidth - filled, '.'),
                done, total, found, timing)
         << std::flush;
    line_open_ = true;
    if (done == total) Finish();
    return;
  }
  const uint64_t decile = done * 10 / total;
  if (decile != last_decile_ || done == total) {
    err_ << absl::StrFormat(
        "  progress: %d/%d iterations, %d violated checks, %s\n", done, total,
        found, timing);
  }
  last_decile_ = decile;
}

void ProgressDisplay::Finish() {
  if (!line_open_) return;
  err_ << "\n" << std::flush;
  line_open_ = false;
}

}  // namespace faultline
