// -----------------------------------------------------------------------------
// File: progress_display.h
// -----------------------------------------------------------------------------
//
// What `faultline run` shows on stderr while a plan explores: a bar redrawn
// in place on a terminal, or a line per tenth of the budget otherwise, with
// the elapsed time and schedules per second. The wall clock is read here
// only to inform the user; no decision of the run depends on it.
//
// A run may stop before its budget (its verdict decided), so the bar's line
// is left open; Finish() ends it, so the report never starts on it.
//
// Example:
//   ProgressDisplay progress(ExplorerOptions::Progress::kBar, std::cerr);
//   explorer.set_progress(progress.Callback());
//   explorer.Run();
//   progress.Finish();
//
// Thread-safety: the callback is called from the explorer's thread only.

#ifndef FAULTLINE_FRAMEWORK_EXPLORE_PROGRESS_DISPLAY_H_
#define FAULTLINE_FRAMEWORK_EXPLORE_PROGRESS_DISPLAY_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <ostream>

#include "framework/explore/explorer.h"
#include "framework/explore/explorer_options.h"

namespace faultline {

class ProgressDisplay {
 public:
  ProgressDisplay(ExplorerOptions::Progress mode, std::ostream& err);
  ProgressDisplay(const ProgressDisplay&) = delete;
  ProgressDisplay& operator=(const ProgressDisplay&) = delete;

  // The function to hand to Explorer::set_progress; nullptr when the mode
  // is kNone. Valid while this object lives.
  Explorer::ProgressFn Callback();
  // Ends a bar line left open by a run that stopped early. Idempotent.
  void Finish();

 private:
  void Update(uint64_t done, uint64_t total, uint64_t found);

  const ExplorerOptions::Progress mode_;
  std::ostream& err_;
  // Monotonic, as the report's own timing: a wall-clock step is no rate.
  const std::chrono::steady_clock::time_point start_;
  uint64_t last_decile_ = 0;
  bool line_open_ = false;
};

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_EXPLORE_PROGRESS_DISPLAY_H_
