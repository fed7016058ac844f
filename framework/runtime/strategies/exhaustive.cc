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
//
// Splitting (shard_split.h): a probe walks the same tree but stops
// branching at a fixed depth and lists the subtrees there. A walk started
// from a subtree's prefix rebuilds each prefix node as the whole walk would
// have it when that subtree's turn came: the choices the whole walk takes
// before the prefix's (current task first, then ascending) are marked done,
// so the sleep sets below are the same and the subtree's schedules are
// exactly the whole walk's.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
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
    stopped_at_state_ = false;
    cut_ = false;
    abandoned_ = false;
    divergence_ = absl::OkStatus();
    return true;
  }

  uint32_t Choose(const SchedulingPoint& point) override {
    FL_CHECK(!point.runnable.empty());
    FL_CHECK(depth_ <= stack_.size());
    if (pruned_) return DefaultChoice(point);
    if (depth_ < stack_.size()) return ReplayNode(point);
    if (depth_ < Prefix().size()) return EnterPrefix(point);
    Node node = MakeNode(point);
    if (Caching() && Explored(point.state, node)) {
      stopped_at_state_ = true;
      return kStopRun;
    }
    const uint32_t choice = NextChoice(node);
    if (choice == 0 && options_.state_caching) {
      // Sleep-set blocked: the rest of the run is explored elsewhere.
      pruned_ = stopped_at_state_ = true;
      return kStopRun;
    }
    if (choice == 0) {
      // Every runnable task sleeps (or needs a preemption over the bound):
      // this run repeats an explored schedule. Finish it, do not branch.
      pruned_ = true;
      return DefaultChoice(point);
    }
    if (probe_depth_ != 0 && stack_.size() == probe_depth_) {
      // A subtree root: listed, not explored. The run just finishes.
      SubtreeRoot root;
      root.prefix = PathChoices();
      root.steps_below = point.step;  // made relative in EndIteration
      root.preemptions_left =
          options_.preemption_bound < 0
              ? -1
              : options_.preemption_bound - node.preemptions_before;
      subtrees_.push_back(std::move(root));
      pruned_ = cut_ = true;
      return DefaultChoice(point);
    }
    node.chosen = choice;
    stack_.push_back(std::move(node));
    ++depth_;
    FL_CHECK(depth_ == stack_.size());
    return choice;
  }

  bool WantsState() const override {
    return Caching() && !pruned_ && depth_ >= stack_.size() &&
           depth_ >= Prefix().size();
  }

  void EndIteration(const Trace& trace) override {
    if (depth_ < stack_.size()) {
      SetDivergence(depth_ + 1, "the run ended earlier than before");
      stack_.resize(depth_);
    }
    FL_CHECK(depth_ == stack_.size());
    if (abandoned_) {
      NextPrefix();
      return;
    }
    if (stopped_at_state_) {
      ++(pruned_ ? pruned_runs_ : state_cut_runs_);
    } else if (cut_) {
      // A probe run below a listed subtree: not a schedule of its own.
      SubtreeRoot& root = subtrees_.back();
      root.steps_below = trace.step_count > root.steps_below
                             ? trace.step_count - root.steps_below
                             : 0;
    } else if (pruned_) {
      ++pruned_runs_;
    } else {
      ++schedules_;
      if (probe_depth_ != 0) {
        SubtreeRoot leaf;
        leaf.prefix = PathChoices();
        leaf.leaf = true;
        subtrees_.push_back(std::move(leaf));
      }
    }
    if (options_.max_schedules != 0 && schedules_ >= options_.max_schedules) {
      stopped_ = true;
      return;
    }
    Backtrack();
  }

  bool Complete() const override { return complete_; }
  bool BoundCut() const override { return bound_cut_; }
  uint64_t Schedules() const override { return schedules_; }
  std::string Name() const override {
    return absl::StrCat("exhaustive(bound=", options_.preemption_bound,
                        options_.reduction ? ", sleep sets" : "",
                        options_.state_caching ? ", state caching)" : ")");
  }
  StrategyKind kind() const override {
    return options_.state_caching ? StrategyKind::kStateCaching
                                  : StrategyKind::kExhaustive;
  }
  std::string Summary() const override {
    return absl::StrCat(
        "exhaustive: ", complete_ ? "complete: " : "", schedules_, " schedules",
        complete_ ? "" : " so far",
        split_ ? absl::StrCat(" over ", prefixes_.size(), " subtrees") : "",
        subtrees_cut_ == 0
            ? ""
            : absl::StrCat(", ", subtrees_cut_, " of them past the bound"),
        " (", pruned_runs_, " runs cut by sleep sets",
        options_.state_caching
            ? absl::StrCat(", ", state_cut_runs_,
                           " stopped at explored states; ", explored_.size(),
                           " states", cache_full_ ? " (cache full)" : "")
            : "",
        ")");
  }
  absl::Status Divergence() const override { return divergence_; }

  bool ProbeSubtrees(size_t depth) override {
    FL_CHECK(depth > 0 && stack_.empty());
    probe_depth_ = depth;
    return true;
  }
  std::vector<SubtreeRoot> Subtrees() const override { return subtrees_; }
  bool StartFromPrefixes(std::vector<std::vector<uint32_t>> prefixes) override {
    FL_CHECK(stack_.empty());
    split_ = true;
    prefixes_ = std::move(prefixes);
    next_prefix_ = 0;
    complete_ = prefixes_.empty();
    return true;
  }

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

  // The prefix of the subtree being explored; empty for the whole tree.
  const std::vector<uint32_t>& Prefix() const {
    static const std::vector<uint32_t> kRoot;
    return split_ && next_prefix_ < prefixes_.size() ? prefixes_[next_prefix_]
                                                     : kRoot;
  }

  std::vector<uint32_t> PathChoices() const {
    std::vector<uint32_t> path;
    path.reserve(stack_.size());
    for (const Node& node : stack_) path.push_back(node.chosen);
    return path;
  }

  // First visit of a prefix node: the whole walk's earlier choices here are
  // done, as they would be when it reached this prefix.
  uint32_t EnterPrefix(const SchedulingPoint& point) {
    FL_CHECK(depth_ == stack_.size() && depth_ < Prefix().size());
    Node node = MakeNode(point);
    const uint32_t want = Prefix()[depth_];
    // A prefix of the unbounded tree is entered as the unbounded walk
    // enters it; the bound applies below it.
    const bool unbounded = options_.prefixes_from_unbounded_tree;
    uint32_t choice = NextChoice(node, unbounded);
    while (choice != 0 && choice != want) {
      node.done.push_back(choice);
      choice = NextChoice(node, unbounded);
    }
    if (choice == 0) {
      SetDivergence(point.step, "the subtree's prefix is not in the tree");
      pruned_ = abandoned_ = true;
      return DefaultChoice(point);
    }
    if (unbounded && !WithinBound(node, want)) {
      // Not a schedule of this bound: the run just finishes and is not
      // counted as one.
      bound_cut_ = true;
      ++subtrees_cut_;
      pruned_ = abandoned_ = true;
      return DefaultChoice(point);
    }
    node.chosen = want;
    stack_.push_back(std::move(node));
    ++depth_;
    return want;
  }

  // The current subtree is done (or cannot be reached): on to the next.
  void NextPrefix() {
    FL_CHECK(split_);
    stack_.clear();
    ++next_prefix_;
    if (next_prefix_ >= prefixes_.size()) complete_ = true;
  }

  // A probe lists subtrees, which a cache would hide: it caches nothing.
  // A split walk caches within its own subtrees (a state two walks reach
  // is searched by both, which is why the explorer does not split it).
  bool Caching() const { return options_.state_caching && probe_depth_ == 0; }

  // State caching: true if `state` was explored from with a sleep set that
  // `node`'s contains, so its subtree here holds nothing new (Godefroid,
  // 1996: sleep sets stay sound with a state cache under that condition).
  // Otherwise it is recorded, with the sleepers common to every visit.
  bool Explored(uint64_t state, const Node& node) {
    if (state == 0) return false;
    uint64_t asleep = 0;
    for (const auto& sleeper : node.sleep) {
      if (sleeper.first >= 64) return false;
      asleep |= uint64_t{1} << sleeper.first;
    }
    if (explored_.size() >= options_.max_cached_states) {
      cache_full_ = true;
      auto it = explored_.find(state);
      return it != explored_.end() && (it->second & ~asleep) == 0;
    }
    auto [it, inserted] = explored_.try_emplace(state, asleep);
    if (inserted) return false;
    if ((it->second & ~asleep) == 0) return true;
    it->second &= asleep;
    return false;
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

  bool WithinBound(const Node& node, uint32_t task) const {
    const int bound = options_.preemption_bound;
    return bound < 0 ||
           node.preemptions_before + (IsPreemptionAt(node, task) ? 1 : 0) <=
               bound;
  }

  // The next unexplored, awake, within-bound choice at `node` (the current
  // task first, then ascending ordinals), or 0. `ignore_bound`: as the
  // unbounded walk would choose.
  uint32_t NextChoice(const Node& node, bool ignore_bound = false) const {
    auto allowed = [&](uint32_t task) {
      if (std::find(node.done.begin(), node.done.end(), task) !=
          node.done.end()) {
        return false;
      }
      for (const auto& sleeper : node.sleep) {
        if (sleeper.first == task) return false;
      }
      if (ignore_bound || WithinBound(node, task)) return true;
      bound_cut_ = true;  // a choice only the bound keeps out
      return false;
    };
    if (node.current != 0 && allowed(node.current)) return node.current;
    for (uint32_t task : node.enabled) {
      if (allowed(task)) return task;
    }
    return 0;
  }

  void Backtrack() {
    // Prefix nodes are fixed: the subtree ends where its prefix does.
    const size_t floor = Prefix().size();
    while (stack_.size() > floor) {
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
    if (split_) {
      NextPrefix();
      return;
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
  bool cut_ = false;  // probe run past a listed subtree root
  // NextChoice found a choice only the preemption bound ruled out.
  mutable bool bound_cut_ = false;
  // The prefix diverged or needs more preemptions than the bound: skip
  // this subtree.
  bool abandoned_ = false;
  bool complete_ = false;
  bool stopped_ = false;
  uint64_t schedules_ = 0;
  uint64_t pruned_runs_ = 0;
  // State caching: states explored from, with the sleepers (bit per
  // ordinal) common to every visit; runs stopped at one of them.
  absl::flat_hash_map<uint64_t, uint64_t> explored_;
  uint64_t state_cut_runs_ = 0;
  bool cache_full_ = false;  // max_cached_states reached
  bool stopped_at_state_ = false;
  // Subtrees whose prefix (from an unbounded probe) is past the bound.
  uint64_t subtrees_cut_ = 0;
  absl::Status divergence_;
  // Probe (ProbeSubtrees): depth at which branching stops (0 = off) and the
  // subtrees found.
  size_t probe_depth_ = 0;
  std::vector<SubtreeRoot> subtrees_;
  // Split walk (StartFromPrefixes): the subtrees to explore, in order.
  bool split_ = false;
  std::vector<std::vector<uint32_t>> prefixes_;
  size_t next_prefix_ = 0;
};

}  // namespace

std::unique_ptr<Strategy> NewExhaustiveStrategy(
    const ExhaustiveOptions& options) {
  return std::make_unique<ExhaustiveStrategy>(options);
}

}  // namespace faultline
