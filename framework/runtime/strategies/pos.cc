// POS (partial order sampling, Yuan, Yang and Gu, "Partial Order Aware
// Concurrency Sampling", CAV 2018). Every pending event (a runnable task's
// next step) carries a random priority and the highest one runs. After an
// event runs, the task that ran has a new pending event, which draws a fresh
// priority, and so does every other pending event that races with the one
// that ran (conflicting footprints, strategy.h). Events that commute with
// it keep their priorities, so the order of independent steps is not
// resampled at every step as in a random walk: each partial order is
// sampled with a probability far less skewed by how many interleavings
// represent it. PCT, by contrast, keeps one priority per task and needs its
// change points to land in the right few steps.
//
// A task that was not runnable at the previous point (new, woken, back from
// a sleep or a yield) has a pending event nobody has ranked: it draws a
// fresh priority too. Its wake-up was caused by a step that touched what it
// waited for, i.e. a racing one.
//
// Every draw comes from CounterRng keyed by (seed, iteration seed), and the
// draws depend only on the schedule so far, so an iteration's schedule
// depends only on those seeds (the same in any shard layout).
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "framework/check.h"
#include "framework/rng.h"
#include "framework/runtime/strategies/strategy.h"

namespace faultline {
namespace {

class PosStrategy final : public Strategy {
 public:
  explicit PosStrategy(uint64_t seed) : seed_(seed), rng_(0) {
    tasks_.reserve(16);
  }

  bool BeginIteration(uint64_t iteration_seed) override {
    rng_ = CounterRng(DrawBits({seed_, iteration_seed, kStream}));
    tasks_.clear();
    last_ = 0;
    ++iterations_;
    return true;
  }

  uint32_t Choose(const SchedulingPoint& point) override {
    FL_CHECK(!point.runnable.empty());
    const uint64_t step = point.step;
    EnsureTasks(std::max(point.runnable.back(), point.current));
    for (size_t i = 0; i < point.runnable.size(); ++i) {
      TaskState& task = tasks_[point.runnable[i] - 1];
      // Not runnable at the previous point (or just ran): a new event.
      bool fresh = task.seen_step == 0 || task.seen_step + 1 != step ||
                   point.runnable[i] == last_;
      if (!fresh && last_ != 0) fresh = Races(point.next[i], last_step_);
      if (fresh) task.priority = rng_.Next();
      task.seen_step = step;
    }
    size_t best = 0;
    for (size_t i = 1; i < point.runnable.size(); ++i) {
      // Ties (2^-64) go to the lower ordinal.
      if (tasks_[point.runnable[i] - 1].priority >
          tasks_[point.runnable[best] - 1].priority) {
        best = i;
      }
    }
    last_ = point.runnable[best];
    last_step_ = point.next[best];
    return last_;
  }

  std::string Name() const override { return "pos"; }
  StrategyKind kind() const override { return StrategyKind::kPos; }
  std::string Summary() const override {
    return absl::StrCat("pos: ", iterations_, " iterations");
  }

 private:
  static constexpr uint64_t kStream = 0x706f73ULL;  // "pos"

  // Conflicts() with RCU read sections as reads of their RCU object: for the
  // reduction they conflict with everything (a callback may touch
  // anything), but here that would re-draw a reader's priority at every
  // step, which turns POS into a random walk for it.
  static Footprint Narrow(Footprint f) {
    using internal::OpKind;
    if (f.op == OpKind::kRcuRead || f.op == OpKind::kRcuUnlock) {
      f.access = Footprint::Access::kRead;
    }
    return f;
  }
  static bool Races(const Footprint& a, const Footprint& b) {
    return Conflicts(Narrow(a), Narrow(b));
  }

  struct TaskState {
    uint64_t priority = 0;   // of the task's pending event
    uint64_t seen_step = 0;  // last point at which it was runnable; 0 = never
  };

  void EnsureTasks(uint32_t ordinal) {
    if (tasks_.size() < ordinal) tasks_.resize(ordinal);
  }

  const uint64_t seed_;
  CounterRng rng_;
  std::vector<TaskState> tasks_;  // by ordinal - 1
  uint32_t last_ = 0;             // task chosen at the previous point
  Footprint last_step_;           // the step it executed
  uint64_t iterations_ = 0;
};

}  // namespace

std::unique_ptr<Strategy> NewPosStrategy(uint64_t seed) {
  return std::make_unique<PosStrategy>(seed);
}

}  // namespace faultline
