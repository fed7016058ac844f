// Iterative preemption bounding: a bounded systematic search run at bound
// 0, 1, 2, ... (see strategy.h, NewIterativeBoundingStrategy).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "framework/check.h"
#include "framework/runtime/strategies/strategy.h"

namespace faultline {
namespace {

class IterativeBoundingStrategy final : public Strategy {
 public:
  IterativeBoundingStrategy(
      std::function<std::unique_ptr<Strategy>(int bound)> bounded,
      int max_bound)
      : bounded_(std::move(bounded)),
        max_bound_(max_bound),
        round_(bounded_(0)) {
    FL_CHECK(round_ != nullptr);
  }

  bool BeginIteration(uint64_t iteration_seed) override {
    if (probing_) return round_->BeginIteration(iteration_seed);
    while (!done_) {
      if (round_->BeginIteration(iteration_seed)) return true;
      // This round's search is over: the next bound, unless this one cut
      // nothing (it was the whole unbounded search) or was the last.
      finished_.push_back(round_->Schedules());
      if (!round_->Complete() || !round_->BoundCut() || bound_ == max_bound_) {
        done_ = true;
        break;
      }
      ++bound_;
      round_ = bounded_(bound_);
      FL_CHECK(round_ != nullptr);
      if (split_) FL_CHECK(round_->StartFromPrefixes(prefixes_));
    }
    return false;
  }

  uint32_t Choose(const SchedulingPoint& point) override {
    return round_->Choose(point);
  }
  void LockedOut(absl::Span<const uint32_t> tasks,
                 absl::Span<const Footprint> next) override {
    round_->LockedOut(tasks, next);
  }
  void EndIteration(const Trace& trace) override {
    round_->EndIteration(trace);
  }
  bool Complete() const override { return done_ && round_->Complete(); }
  bool BoundCut() const override { return round_->BoundCut(); }
  uint64_t Schedules() const override {
    uint64_t total = done_ ? 0 : round_->Schedules();
    for (uint64_t n : finished_) total += n;
    return total;
  }
  std::string Name() const override {
    return absl::StrCat("iterative bounding of ", round_->Name());
  }
  // A schedule replays under the step model of the search that ran it.
  StrategyKind kind() const override { return round_->kind(); }
  absl::Status Divergence() const override { return round_->Divergence(); }

  // Split across shards: the subtrees are those of the unbounded search
  // (bounded(-1)), and every round searches the same ones under its bound,
  // so a shard whose subtrees a round's bound cut nothing in has searched
  // its share of the whole tree and stops there, whatever the others do.
  bool ProbeSubtrees(size_t depth) override {
    round_ = bounded_(-1);
    FL_CHECK(round_ != nullptr);
    probing_ = true;
    if (!round_->ProbeSubtrees(depth)) return false;
    // Prefixes given first still name where the probe starts.
    return !split_ || round_->StartFromPrefixes(prefixes_);
  }
  std::vector<SubtreeRoot> Subtrees() const override {
    return round_->Subtrees();
  }
  bool StartFromPrefixes(std::vector<std::vector<uint32_t>> prefixes) override {
    if (probing_) return round_->StartFromPrefixes(std::move(prefixes));
    if (!round_->StartFromPrefixes(prefixes)) return false;
    prefixes_ = std::move(prefixes);
    split_ = true;
    return true;
  }

  // "iterative bounding, schedules per bound: bound 0: 67, bound 1: 3222,
  // bound 2: 12 so far; 3301 in all; last round: <its own summary>".
  std::string Summary() const override {
    std::vector<std::string> rounds;
    for (size_t b = 0; b < finished_.size(); ++b) {
      rounds.push_back(absl::StrCat("bound ", b, ": ", finished_[b]));
    }
    if (!done_) {
      rounds.push_back(
          absl::StrCat("bound ", bound_, ": ", round_->Schedules(), " so far"));
    }
    std::string verdict;
    if (Complete()) {
      verdict = round_->BoundCut()
                    ? absl::StrCat("; complete within ", bound_,
                                   " preemptions (the last bound asked for)")
                    : absl::StrCat("; complete: bound ", bound_,
                                   " cut nothing, so every schedule",
                                   split_ ? " of this shard's subtrees" : "",
                                   " was run");
    }
    return absl::StrCat("iterative bounding, schedules per bound: ",
                        absl::StrJoin(rounds, ", "), "; ", Schedules(),
                        " in all", verdict,
                        "; last round: ", round_->Summary());
  }

 private:
  std::function<std::unique_ptr<Strategy>(int bound)> bounded_;
  const int max_bound_;
  int bound_ = 0;
  std::unique_ptr<Strategy> round_;
  std::vector<uint64_t> finished_;  // schedules of each finished round
  bool done_ = false;
  bool probing_ = false;  // round_ is the unbounded search, probed
  bool split_ = false;    // every round starts from prefixes_
  std::vector<std::vector<uint32_t>> prefixes_;
};

}  // namespace

std::unique_ptr<Strategy> NewIterativeBoundingStrategy(
    std::function<std::unique_ptr<Strategy>(int bound)> bounded,
    int max_bound) {
  return std::make_unique<IterativeBoundingStrategy>(std::move(bounded),
                                                     max_bound);
}

}  // namespace faultline
