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
  PctStrategy(uint64_t seed, int depth, uint64_t estimated_steps)
      : seed_(seed),
        depth_(depth),
        estimated_steps_(std::max<uint64_t>(estimated_steps, 1)),
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
    for (size_t i = 0; i < change_steps_.size(); ++i) {
      if (change_steps_[i] != point.step) continue;
      // Change point i + 1: the task about to run drops to priority i + 1.
      priorities_[best - 1] = static_cast<int64_t>(i + 1);
      best = HighestPriority(point);
    }
    FL_CHECK(
        std::binary_search(point.runnable.begin(), point.runnable.end(), best));
    return best;
  }

  std::string Name() const override {
    return absl::StrCat("pct(d=", depth_, ")");
  }
  StrategyKind kind() const override { return StrategyKind::kPct; }
  std::string Summary() const override {
    return absl::StrCat(Name(), ": ", iterations_,
                        " iterations, k=", estimated_steps_);
  }

 private:
  static constexpr uint64_t kStream = 0x706374ULL;  // "pct"

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
  CounterRng rng_;
  std::vector<int64_t> priorities_;  // by ordinal - 1
  std::vector<uint64_t> change_steps_;
  uint64_t iterations_ = 0;
  int64_t lowest_ = 0;  // yielders go below every change-point priority
};

}  // namespace

std::unique_ptr<Strategy> NewPctStrategy(uint64_t seed, int depth,
                                         uint64_t estimated_steps) {
  return std::make_unique<PctStrategy>(seed, depth, estimated_steps);
}

}  // namespace faultline
