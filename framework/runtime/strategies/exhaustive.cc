// Bounded exhaustive search: a depth-first walk over the tree of schedules
// by re-execution (stateless model checking). Each iteration replays the
// current path's choices, then extends it with first choices; at the end
// the deepest node with an unexplored choice gets its next one.
//
// Reduction: sleep sets (Godefroid 1996) over step footprints. After the
// subtree of choice t at node n is explored, t "sleeps" in the subtrees of
// n's later choices until a step that conflicts with t's pending operation
// runs; a sleeping task is not chosen. With sleep sets alone no two
// complete schedules explored are equivalent (same order of every pair of
// conflicting steps); runs where every runnable task sleeps are cut short
// ("sleep-set blocked") and not counted as schedules.
//
// Preemption bound (Musuvathi & Qadeer, PLDI 2007): choices that preempt a
// runnable current task are skipped once a path has used `bound` of them.
// Combined with sleep sets the bound is a heuristic: some schedules within
// the bound may be reached only through pruned paths.
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

struct Node {
  std::vector<uint32_t> enabled;  // ascending
  std::vector<Footprint> next;    // parallel to enabled
  uint32_t current = 0;           // runnable current task, else 0
  std::vector<std::pair<uint32_t, Footprint>> sleep;  // on entry
  std::vector<uint32_t> done;  // choices whose subtrees are explored
  uint32_t chosen = 0;
  int preemptions_before = 0;  // on the path above this node
};

class ExhaustiveStrategy final : public Strategy {
 public:
  explicit ExhaustiveStrategy(const ExhaustiveOptions& options)
      : options_(options) {}

  bool BeginIteration(uint64_t) override {
    if (complete_ || stopped_) return false;
    depth_ = 0;
    pruned_ = false;
    divergence_ = absl::OkStatus();
    return true;
  }

  uint32_t Choose(const SchedulingPoint& point) override {
    FL_CHECK(!point.runnable.empty());
    FL_CHECK(depth_ <= stack_.size());
    if (pruned_) return DefaultChoice(point);
    if (depth_ < stack_.size()) return ReplayNode(point);
    Node node = MakeNode(point);
    const uint32_t choice = NextChoice(node);
    if (choice == 0) {
      // Every runnable task sleeps (or needs a preemption over the bound):
      // this run repeats an explored schedule. Finish it, do not branch.
      pruned_ = true;
      return DefaultChoice(point);
    }
    node.chosen = choice;
    stack_.push_back(std::move(node));
    ++depth_;
    FL_CHECK(depth_ == stack_.size());
    return choice;
  }

  void EndIteration(const Trace& trace) override {
    if (depth_ < stack_.size()) {
      SetDivergence(depth_ + 1, "the run ended earlier than before");
      stack_.resize(depth_);
    }
    FL_CHECK(depth_ == stack_.size());
    if (pruned_) {
      ++pruned_runs_;
    } else {
      ++schedules_;
    }
    if (options_.max_schedules != 0 && schedules_ >= options_.max_schedules) {
      stopped_ = true;
      return;
    }
    Backtrack();
  }

  bool Complete() const override { return complete_; }
  std::string Name() const override {
    return absl::StrCat("exhaustive(bound=", options_.preemption_bound,
                        options_.reduction ? ", sleep sets)" : ")");
  }
  StrategyKind kind() const override { return StrategyKind::kExhaustive; }
  std::string Summary() const override {
    return absl::StrCat("exhaustive: ", complete_ ? "complete: " : "",
                        schedules_, " schedules", complete_ ? "" : " so far",
                        " (", pruned_runs_, " runs cut by sleep sets)");
  }
  absl::Status Divergence() const override { return divergence_; }

 private:
  uint32_t ReplayNode(const SchedulingPoint& point) {
    FL_CHECK(depth_ < stack_.size());
    Node& node = stack_[depth_++];
    const bool same = std::equal(node.enabled.begin(), node.enabled.end(),
                                 point.runnable.begin(), point.runnable.end());
    if (!same) {
      // The program is not deterministic under a fixed schedule (e.g. it
      // reads the wall clock). Keep going; the counts are then unreliable.
      SetDivergence(point.step, "runnable tasks differ from the last run");
      if (!std::binary_search(point.runnable.begin(), point.runnable.end(),
                              node.chosen)) {
        return DefaultChoice(point);
      }
    }
    return node.chosen;
  }

  Node MakeNode(const SchedulingPoint& point) const {
    FL_CHECK(point.next.size() == point.runnable.size());
    Node node;
    node.enabled.assign(point.runnable.begin(), point.runnable.end());
    node.next.assign(point.next.begin(), point.next.end());
    if (std::binary_search(node.enabled.begin(), node.enabled.end(),
                           point.current)) {
      node.current = point.current;
    }
    if (stack_.empty()) return node;
    const Node& parent = stack_.back();
    node.preemptions_before = parent.preemptions_before +
                              (IsPreemptionAt(parent, parent.chosen) ? 1 : 0);
    if (options_.reduction) node.sleep = ChildSleep(parent);
    return node;
  }

  // Sleepers of the parent and its explored choices stay asleep below the
  // parent's chosen step if they do not conflict with it.
  static std::vector<std::pair<uint32_t, Footprint>> ChildSleep(
      const Node& parent) {
    FL_CHECK(parent.chosen != 0);
    const Footprint& taken = FootprintOf(parent, parent.chosen);
    std::vector<std::pair<uint32_t, Footprint>> sleep;
    for (const auto& [task, footprint] : parent.sleep) {
      if (task != parent.chosen && !Conflicts(footprint, taken)) {
        sleep.emplace_back(task, footprint);
      }
    }
    for (uint32_t task : parent.done) {
      const Footprint& footprint = FootprintOf(parent, task);
      if (task != parent.chosen && !Conflicts(footprint, taken)) {
        sleep.emplace_back(task, footprint);
      }
    }
    return sleep;
  }

  static const Footprint& FootprintOf(const Node& node, uint32_t task) {
    auto it = std::lower_bound(node.enabled.begin(), node.enabled.end(), task);
    FL_CHECK(it != node.enabled.end() && *it == task);
    return node.next[it - node.enabled.begin()];
  }

  static bool IsPreemptionAt(const Node& node, uint32_t task) {
    return node.current != 0 && task != node.current;
  }

  // The next unexplored, awake, within-bound choice at `node` (the current
  // task first, then ascending ordinals), or 0.
  uint32_t NextChoice(const Node& node) const {
    auto allowed = [&](uint32_t task) {
      if (std::find(node.done.begin(), node.done.end(), task) !=
          node.done.end()) {
        return false;
      }
      for (const auto& sleeper : node.sleep) {
        if (sleeper.first == task) return false;
      }
      const int bound = options_.preemption_bound;
      return bound < 0 ||
             node.preemptions_before + (IsPreemptionAt(node, task) ? 1 : 0) <=
                 bound;
    };
    if (node.current != 0 && allowed(node.current)) return node.current;
    for (uint32_t task : node.enabled) {
      if (allowed(task)) return task;
    }
    return 0;
  }

  void Backtrack() {
    while (!stack_.empty()) {
      Node& node = stack_.back();
      FL_CHECK(node.chosen != 0);
      node.done.push_back(node.chosen);
      const uint32_t choice = NextChoice(node);
      if (choice != 0) {
        node.chosen = choice;
        return;
      }
      stack_.pop_back();
    }
    complete_ = true;
  }

  void SetDivergence(uint64_t step, const std::string& why) {
    if (!divergence_.ok()) return;
    divergence_ = absl::InternalError(
        absl::StrCat("exhaustive search: nondeterministic program at step ",
                     step, ": ", why));
  }

  const ExhaustiveOptions options_;
  std::vector<Node> stack_;
  size_t depth_ = 0;
  bool pruned_ = false;
  bool complete_ = false;
  bool stopped_ = false;
  uint64_t schedules_ = 0;
  uint64_t pruned_runs_ = 0;
  absl::Status divergence_;
};

}  // namespace

std::unique_ptr<Strategy> NewExhaustiveStrategy(
    const ExhaustiveOptions& options) {
  return std::make_unique<ExhaustiveStrategy>(options);
}

}  // namespace faultline
