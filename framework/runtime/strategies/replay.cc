// Replay: follows recorded switches (step, task); every other step takes
// the default choice, which is what the recording run's non-switch steps
// did. Strict mode reports the first step where the recording no longer
// fits; lenient mode (used by the minimizer, which deletes switches) falls
// back to the default choice there.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "framework/check.h"
#include "framework/runtime/strategies/strategy.h"
#include "framework/runtime/trace/trace.h"

namespace faultline {
namespace {

class ReplayStrategy final : public Strategy {
 public:
  ReplayStrategy(std::vector<std::pair<uint32_t, uint32_t>> switches,
                 ReplayMode mode)
      : switches_(std::move(switches)), mode_(mode) {
    for (size_t i = 1; i < switches_.size(); ++i) {
      FL_CHECK(switches_[i - 1].first < switches_[i].first);
    }
  }

  bool BeginIteration(uint64_t) override {
    next_ = 0;
    divergence_ = absl::OkStatus();
    return true;
  }

  uint32_t Choose(const SchedulingPoint& point) override {
    FL_CHECK(!point.runnable.empty());
    // Switches for steps already passed cannot apply any more.
    while (next_ < switches_.size() && switches_[next_].first < point.step) {
      Diverge(switches_[next_].first, "the step was never reached");
      ++next_;
    }
    if (next_ == switches_.size() || switches_[next_].first != point.step) {
      return DefaultChoice(point);
    }
    const uint32_t task = switches_[next_++].second;
    if (std::binary_search(point.runnable.begin(), point.runnable.end(),
                           task)) {
      return task;
    }
    Diverge(point.step,
            absl::StrCat("recorded task #", task, " cannot run (runnable: ",
                         point.runnable.size(), " tasks)"));
    return DefaultChoice(point);
  }

  void EndIteration(const Trace& trace) override {
    FL_CHECK(next_ <= switches_.size());
    if (next_ < switches_.size()) {
      Diverge(switches_[next_].first,
              absl::StrCat("the run ended after ", trace.steps(), " steps"));
    }
  }

  std::string Name() const override {
    return mode_ == ReplayMode::kStrict ? "replay" : "replay(lenient)";
  }
  StrategyKind kind() const override { return StrategyKind::kReplay; }
  absl::Status Divergence() const override { return divergence_; }

 private:
  void Diverge(uint64_t step, const std::string& why) {
    if (mode_ != ReplayMode::kStrict || !divergence_.ok()) return;
    divergence_ = absl::FailedPreconditionError(
        absl::StrCat("replay diverged at step ", step, ": ", why,
                     " (the program or plan differs from the recording)"));
  }

  const std::vector<std::pair<uint32_t, uint32_t>> switches_;
  const ReplayMode mode_;
  size_t next_ = 0;
  absl::Status divergence_;
};

}  // namespace

std::unique_ptr<Strategy> NewReplayStrategy(
    std::vector<std::pair<uint32_t, uint32_t>> switches, ReplayMode mode) {
  return std::make_unique<ReplayStrategy>(std::move(switches), mode);
}

}  // namespace faultline
