// RandomWalk: at every step, a uniformly random runnable task. Simple and
// surprisingly effective for shallow bugs; PCT is better for deep ones.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "framework/check.h"
#include "framework/rng.h"
#include "framework/runtime/strategies/strategy.h"

namespace faultline {
namespace {

class RandomWalkStrategy final : public Strategy {
 public:
  explicit RandomWalkStrategy(uint64_t seed) : seed_(seed), rng_(0) {}

  bool BeginIteration(uint64_t iteration_seed) override {
    // Each iteration's stream depends only on (strategy seed, iteration
    // seed), so any iteration can be rerun alone.
    rng_ = CounterRng(DrawBits({seed_, iteration_seed, kStream}));
    ++iterations_;
    return true;
  }

  uint32_t Choose(const SchedulingPoint& point) override {
    FL_CHECK(!point.runnable.empty());
    FL_CHECK(point.runnable.front() != 0);  // ordinals are 1-based
    if (point.runnable.size() == 1) return point.runnable[0];
    return point.runnable[rng_.Below(point.runnable.size())];
  }

  std::string Name() const override { return "random"; }
  StrategyKind kind() const override { return StrategyKind::kRandomWalk; }
  std::string Summary() const override {
    return absl::StrCat("random: ", iterations_, " iterations");
  }

 private:
  static constexpr uint64_t kStream = 0x72616e646f6dULL;  // "random"
  const uint64_t seed_;
  CounterRng rng_;
  uint64_t iterations_ = 0;
};

}  // namespace

std::unique_ptr<Strategy> NewRandomWalkStrategy(uint64_t seed) {
  return std::make_unique<RandomWalkStrategy>(seed);
}

}  // namespace faultline
