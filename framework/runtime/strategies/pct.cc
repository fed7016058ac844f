// PCT (probabilistic concurrency testing, Burckhardt et al., ASPLOS 2010).
// Every task gets a random priority above `depth`; the highest-priority
// runnable task always runs. At d - 1 random "change points" among the
// first k steps the running task drops to priority i (1 <= i < d), which
// forces the rare orderings a bug of depth d needs. k is fixed for the
// strategy's life (the explorer measures it once per run: the steps of the
// plan's default schedule), never learned from earlier iterations, so an
// iteration's schedule depends only on (seed, iteration seed) and is the
// same in any shard layout. A yielding task drops below everyone, so
// spin-wait loops make progress.
//
// PctSteps::kChoice counts only the steps where a change point can act (two
// or more runnable tasks): change points are numbered over those steps, so
// none is spent where it cannot change the schedule, and k is the number of
// such steps (the explorer learns it from calibration runs,
// explorer.cc). kAll is the paper's PCT, step for step the same schedules
// as before these modes existed.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "framework/check.h"
#include "framework/rng.h"
#include "framework/runtime/strategies/strategy.h"
#include "framework/runtime/trace/trace.h"

namespace faultline {
namespace {

class PctStrategy final : public Strategy {
 public:
  PctStrategy(uint64_t seed, const PctOptions& options)
      : seed_(seed),
        depth_(options.depth),
        estimated_steps_(std::max<uint64_t>(options.estimated_steps, 1)),
        steps_(options.steps),
        rng_(0) {
    FL_CHECK(depth_ >= 1);
    FL_CHECK(estimated_steps_ >= 1);
    priorities_.reserve(64);
  }

  bool BeginIteration(uint64_t iteration_seed) override {
    rng_ = CounterRng(DrawBits({seed_, iteration_seed, kStream}));
    priorities_.clear();
    change_steps_.clear();
    for (int i = 1; i < depth_; ++i) {
      change_steps_.push_back(1 + rng_.Below(estimated_steps_));
    }
    ++iterations_;
    lowest_ = 0;
    counted_ = 0;
    FL_CHECK(change_steps_.size() == static_cast<size_t>(depth_ - 1));
    return true;
  }

  uint32_t Choose(const SchedulingPoint& point) override {
    FL_CHECK(!point.runnable.empty());
    // A yielder is not in `runnable` and may have the highest ordinal.
    EnsurePriorities(std::max(point.runnable.back(), point.current));
    FL_CHECK(priorities_.size() >= point.current);
    if (point.yielded) priorities_[point.current - 1] = --lowest_;
    uint32_t best = HighestPriority(point);
    const uint64_t position = Position(point, best);
    if (position == 0) return best;
    for (size_t i = 0; i < change_steps_.size(); ++i) {
      if (change_steps_[i] != position) continue;
      // Change point i + 1: the task about to run drops to priority i + 1.
      priorities_[best - 1] = static_cast<int64_t>(i + 1);
      best = HighestPriority(point);
    }
    FL_CHECK(
        std::binary_search(point.runnable.begin(), point.runnable.end(), best));
    return best;
  }

  void EndIteration(const Trace& trace) override {
    max_counted_ = std::max(max_counted_, counted_);
  }

  uint64_t MaxCountedSteps() const override { return max_counted_; }

  std::string Name() const override {
    switch (steps_) {
      case PctSteps::kAll:
        break;
      case PctSteps::kChoice:
        return absl::StrCat("pct(d=", depth_, ", choice steps)");
    }
    return absl::StrCat("pct(d=", depth_, ")");
  }
  StrategyKind kind() const override { return StrategyKind::kPct; }
  std::string Summary() const override {
    return absl::StrCat(Name(), ": ", iterations_,
                        " iterations, k=", estimated_steps_);
  }

 private:
  static constexpr uint64_t kStream = 0x706374ULL;  // "pct"

  // The 1-based number of this point among the counted steps (the number a
  // change point is drawn as), or 0 if it does not count: then no change
  // point can fall here.
  uint64_t Position(const SchedulingPoint& point, uint32_t best) {
    if (steps_ == PctSteps::kAll) {
      counted_ = point.step;
      return point.step;
    }
    if (point.runnable.size() < 2) return 0;
    return ++counted_;
  }

  // Priorities for tasks up to `ordinal`, drawn in ordinal order so a task
  // gets the same priority whenever it appears.
  void EnsurePriorities(uint32_t ordinal) {
    while (priorities_.size() < ordinal) {
      // Distinct with overwhelming probability; ties break by ordinal.
      priorities_.push_back(depth_ + static_cast<int64_t>(rng_.Next() >> 2));
    }
  }

  uint32_t HighestPriority(const SchedulingPoint& point) const {
    FL_CHECK(priorities_.size() >= point.runnable.back());
    uint32_t best = point.runnable[0];
    for (uint32_t task : point.runnable) {
      if (priorities_[task - 1] > priorities_[best - 1]) best = task;
    }
    return best;
  }

  const uint64_t seed_;
  const int depth_;
  const uint64_t estimated_steps_;  // k
  const PctSteps steps_;
  CounterRng rng_;
  std::vector<int64_t> priorities_;  // by ordinal - 1
  std::vector<uint64_t> change_steps_;
  uint64_t iterations_ = 0;
  int64_t lowest_ = 0;        // yielders go below every change-point priority
  uint64_t counted_ = 0;      // steps counted in this iteration
  uint64_t max_counted_ = 0;  // ... and the most in any iteration
};

}  // namespace

std::unique_ptr<Strategy> NewPctStrategy(uint64_t seed, int depth,
                                         uint64_t estimated_steps) {
  PctOptions options;
  options.depth = depth;
  options.estimated_steps = estimated_steps;
  return NewPctStrategy(seed, options);
}

std::unique_ptr<Strategy> NewPctStrategy(uint64_t seed,
                                         const PctOptions& options) {
  return std::make_unique<PctStrategy>(seed, options);
}

}  // namespace faultline
