// SURW (selectively uniform random walk; Zhao, Wolff, Mathur and
// Roychoudhury, "Selectively Uniform Concurrency Testing", ASPLOS 2025).
//
// A random walk that picks a runnable task uniformly at every step does not
// sample interleavings uniformly: with one task of 1 step and one of 20, the
// short task runs first half the time although only 1 of the 21
// interleavings starts with it. Choosing each task with probability
// proportional to the steps it has left does sample them uniformly (the
// multinomial count of the interleavings that extend each choice). SURW
// applies that weighting only to the "interesting" steps and lets the rest
// run in random order, so that work which orders nothing does not dilute
// the weights. The paper selects accesses to objects that several threads
// touched in a profiling run, by code location. Here every step is
// already an instrumented operation, which a scenario instruments because
// other tasks see it, and object ids are assigned in order of first use
// (they differ between runs), so the interesting steps are the operations
// on an object; notes, yields and sleeps are not. (Judging sharing within
// the run was tried: whichever task touched an object first then ran its
// accesses unweighted until a second task arrived, and on two tasks of 2
// and 5 stores the sample ended further from uniform than a random walk's,
// total variation 0.60 against 0.40.)
//
// How a step is chosen (the paper's algorithm, as Fray ships it): a
// uniformly drawn runnable task whose next step is not interesting runs at
// once. One whose next step is interesting runs only if it is the
// "intended" task, drawn among the unblocked runnable tasks by remaining
// interesting steps; otherwise it is blocked until the intended task has
// taken its interesting step, and the draw is repeated. When every runnable
// task is blocked (the intended one is waiting on a lock), the intent is
// dropped.
//
// The weights (interesting steps per task ordinal) are learned from
// profiling runs (NewSurwProfiler: a random walk that counts); the explorer
// runs the same profile in every shard, so an iteration's schedule depends
// only on (plan, seed, iteration). A task has at least weight 1, so no
// interleaving is excluded. Not modelled: the paper moves a child's weight
// out of its parent's at spawn.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "framework/check.h"
#include "framework/rng.h"
#include "framework/runtime/strategies/strategy.h"

namespace faultline {
namespace {

// The steps SURW weights: operations on an object (or on everything). Notes,
// yields and sleeps order nothing another task can see.
bool Interesting(const Footprint& step) {
  return step.access == Footprint::Access::kGlobal ||
         (step.access != Footprint::Access::kNone && step.object != 0);
}

class SurwStrategy final : public SurwProfile {
 public:
  SurwStrategy(uint64_t seed, std::vector<uint64_t> weights, bool profile)
      : seed_(seed), weights_(std::move(weights)), profile_(profile), rng_(0) {
    candidates_.reserve(16);
  }

  bool BeginIteration(uint64_t iteration_seed) override {
    rng_ = CounterRng(DrawBits({seed_, iteration_seed, kStream}));
    remaining_ = weights_;
    std::fill(blocked_.begin(), blocked_.end(), false);
    counted_.assign(counted_.size(), 0);
    intended_ = 0;
    ++iterations_;
    return true;
  }

  uint32_t Choose(const SchedulingPoint& point) override {
    FL_CHECK(!point.runnable.empty());
    EnsureTask(std::max(point.runnable.back(), point.current));
    while (true) {
      candidates_.clear();
      for (size_t i = 0; i < point.runnable.size(); ++i) {
        if (!blocked_[point.runnable[i]]) candidates_.push_back(i);
      }
      if (candidates_.empty()) {
        // Everyone left is waiting for an intended task that cannot run.
        intended_ = 0;
        std::fill(blocked_.begin(), blocked_.end(), false);
        continue;
      }
      const size_t i = candidates_[rng_.Below(candidates_.size())];
      const uint32_t task = point.runnable[i];
      const Footprint& step = point.next[i];
      if (!Interesting(step)) return task;
      if (profile_) {
        ++counted_[task];
        return task;
      }
      if (remaining_[task] == 0) remaining_[task] = 1;
      if (intended_ == 0) intended_ = DrawIntended(point);
      if (task == intended_) {
        --remaining_[task];
        intended_ = 0;
        std::fill(blocked_.begin(), blocked_.end(), false);
        return task;
      }
      blocked_[task] = true;
    }
  }

  void EndIteration(const Trace&) override {
    for (size_t t = 1; t < counted_.size(); ++t) {
      if (totals_.size() <= t) totals_.resize(t + 1, 0);
      totals_[t] += counted_[t];
    }
  }

  std::vector<uint64_t> Weights() const override {
    std::vector<uint64_t> weights(totals_.size(), 0);
    if (iterations_ == 0) return weights;
    for (size_t t = 1; t < totals_.size(); ++t) {
      // The mean, rounded up: integer arithmetic keeps it exact everywhere.
      weights[t] = (totals_[t] + iterations_ - 1) / iterations_;
    }
    return weights;
  }

  std::string Name() const override {
    return profile_ ? "surw-profile" : "surw";
  }
  StrategyKind kind() const override { return StrategyKind::kSurw; }
  std::string Summary() const override {
    return absl::StrCat("surw: ", iterations_, " iterations");
  }

 private:
  static constexpr uint64_t kStream = 0x73757277ULL;  // "surw"

  void EnsureTask(uint32_t ordinal) {
    const size_t size = static_cast<size_t>(ordinal) + 1;
    if (blocked_.size() < size) blocked_.resize(size, false);
    if (remaining_.size() < size) remaining_.resize(size, 1);
    if (counted_.size() < size) counted_.resize(size, 0);
  }

  // A candidate drawn with probability proportional to its remaining
  // interesting steps.
  uint32_t DrawIntended(const SchedulingPoint& point) {
    uint64_t total = 0;
    for (size_t i : candidates_) total += remaining_[point.runnable[i]];
    FL_CHECK(total > 0);  // the drawn task has at least 1
    uint64_t pick = rng_.Below(total);
    for (size_t i : candidates_) {
      const uint64_t w = remaining_[point.runnable[i]];
      if (pick < w) return point.runnable[i];
      pick -= w;
    }
    FL_CHECK(false);
    return 0;
  }

  const uint64_t seed_;
  const std::vector<uint64_t> weights_;  // by ordinal; learned
  const bool profile_;
  CounterRng rng_;
  std::vector<uint64_t> remaining_;  // by ordinal: interesting steps left
  std::vector<bool> blocked_;        // by ordinal
  std::vector<size_t> candidates_;   // indices into point.runnable
  uint32_t intended_ = 0;
  std::vector<uint64_t> counted_;  // by ordinal, this run (profiling)
  std::vector<uint64_t> totals_;   // by ordinal, over the runs (profiling)
  uint64_t iterations_ = 0;
};

}  // namespace

std::unique_ptr<Strategy> NewSurwStrategy(uint64_t seed,
                                          std::vector<uint64_t> weights) {
  return std::make_unique<SurwStrategy>(seed, std::move(weights),
                                        /*profile=*/false);
}

std::unique_ptr<SurwProfile> NewSurwProfiler(uint64_t seed) {
  return std::make_unique<SurwStrategy>(seed, std::vector<uint64_t>{},
                                        /*profile=*/true);
}

}  // namespace faultline
