// Probing the schedule tree for subtrees of similar size and dealing them
// out (see shard_split.h).
#include "framework/explore/shard_split.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "framework/check.h"

namespace faultline {
namespace {

// Probe runs at most, so a tree of endless single-choice chains still
// splits in bounded time (into fewer, less even subtrees).
constexpr uint64_t kMaxProbeRuns = 20000;
// Preemptions a guess assumes left below a root of an unbounded search.
constexpr int kUnboundedGuess = 3;

// A guess at a subtree's schedules: the probe's own if it makes one, else
// the ways to place up to the preemptions left among the steps below its
// root (the shape of a preemption-bounded tree, Musuvathi & Qadeer). Only
// compared with other guesses.
double GuessSize(const SubtreeRoot& root) {
  if (root.leaf) return 1;
  if (root.size_guess >= 0) return root.size_guess;
  const int left =
      root.preemptions_left < 0 ? kUnboundedGuess : root.preemptions_left;
  const double m = static_cast<double>(root.steps_below);
  double term = 1;
  double sum = 1;
  for (int c = 1; c <= left && c <= m; ++c) {
    term = term * (m - c + 1) / c;
    sum += term;
  }
  return sum;
}

struct Entry {
  size_t tree = 0;
  SubtreeRoot root;
  double size = 0;
};

// The shorter prefix, then the larger guess.
bool Shallower(const Entry& a, const Entry& b) {
  if (a.root.prefix.size() != b.root.prefix.size())
    return a.root.prefix.size() < b.root.prefix.size();
  return a.size > b.size;
}

// A tree whose root has not been probed yet: always split first.
constexpr double kUnprobed = 1e300;

// The one-tree forest of SplitSchedules.
class OneTree final : public SplitForest {
 public:
  OneTree(const std::function<std::unique_ptr<Strategy>()>& make,
          const SplitRunFn& run)
      : make_(make), run_(run) {}
  size_t trees() const override { return 1; }
  std::unique_ptr<Strategy> Make(size_t) override { return make_(); }
  absl::StatusOr<bool> Run(size_t, Strategy* strategy) override {
    return run_(strategy);
  }

 private:
  const std::function<std::unique_ptr<Strategy>()>& make_;
  const SplitRunFn& run_;
};

}  // namespace

absl::StatusOr<ForestSplit> SplitSchedulesOfForest(SplitForest& forest,
                                                   uint32_t shard_index,
                                                   uint32_t total_shards) {
  FL_CHECK(total_shards > 0 && shard_index < total_shards);
  ForestSplit split;
  // The subtrees one level below `prefix` in tree `tree`, in walk order.
  auto probe = [&](size_t tree, const std::vector<uint32_t>& prefix)
      -> absl::StatusOr<std::vector<SubtreeRoot>> {
    std::unique_ptr<Strategy> strategy = forest.Make(tree);
    if (!strategy->ProbeSubtrees(prefix.size() + 1) ||
        (!prefix.empty() && !strategy->StartFromPrefixes({prefix}))) {
      return absl::FailedPreconditionError(absl::StrCat(
          strategy->Name(), " cannot split its search into subtrees"));
    }
    for (;;) {
      absl::StatusOr<bool> ran = forest.Run(tree, strategy.get());
      if (!ran.ok()) return ran.status();
      if (!*ran) break;
      ++split.total.probe_runs;
    }
    return strategy->Subtrees();
  };

  // The frontier, trees in order, each in its walk's order: a subtree of
  // any tree is split one level further until there are enough subtrees
  // and none looks larger than a sixteenth of a shard's share. Which one
  // alternates between two signs of work: the largest guess, and the
  // shallowest root (fewest choices made, so the most steps left below).
  // A guess from one run misses what later runs find: on two btrfs_eb
  // plans the subtree holding half of the classes had one of the
  // frontier's shortest prefixes and one of its smallest guesses. Trees the
  // forest gains come in unprobed (and with an empty prefix, so either pick
  // takes them).
  std::vector<Entry> frontier;
  size_t known = 0;
  auto add_new_trees = [&] {
    for (; known < forest.trees(); ++known) {
      Entry root;
      root.tree = known;
      root.size = kUnprobed;
      frontier.push_back(std::move(root));
    }
  };
  add_new_trees();
  const uint64_t wanted = kSubtreesPerShard * total_shards;
  for (uint64_t round = 0; split.total.probe_runs < kMaxProbeRuns; ++round) {
    double total = 0;
    size_t largest = frontier.size();
    size_t shallowest = frontier.size();
    for (size_t i = 0; i < frontier.size(); ++i) {
      total += frontier[i].size;
      if (frontier[i].root.leaf) continue;
      if (largest == frontier.size() ||
          frontier[i].size > frontier[largest].size)
        largest = i;
      if (shallowest == frontier.size() ||
          Shallower(frontier[i], frontier[shallowest]))
        shallowest = i;
    }
    if (largest == frontier.size()) break;  // every subtree is one schedule
    if (frontier[largest].size < kUnprobed && frontier.size() >= wanted &&
        frontier[largest].size * 16 * total_shards <= total) {
      break;
    }
    const size_t split_next = round % 2 == 0 ? largest : shallowest;
    const size_t tree = frontier[split_next].tree;
    absl::StatusOr<std::vector<SubtreeRoot>> children =
        probe(tree, frontier[split_next].root.prefix);
    if (!children.ok()) return children.status();
    std::vector<Entry> replacement;
    for (SubtreeRoot& child : *children) {
      Entry entry;
      entry.tree = tree;
      entry.size = GuessSize(child);
      entry.root = std::move(child);
      replacement.push_back(std::move(entry));
    }
    frontier.erase(frontier.begin() + split_next);
    frontier.insert(frontier.begin() + split_next,
                    std::make_move_iterator(replacement.begin()),
                    std::make_move_iterator(replacement.end()));
    add_new_trees();
  }

  // Largest first, each to the shard with the least so far (ties: the lower
  // index, then the lower shard); a shard walks its subtrees in tree order.
  // A tree the probe budget left unprobed counts as one large subtree.
  std::vector<size_t> order(frontier.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return frontier[a].size > frontier[b].size;
  });
  std::vector<double> load(total_shards, 0);
  std::vector<bool> mine(frontier.size(), false);
  for (size_t i : order) {
    const size_t shard = static_cast<size_t>(
        std::min_element(load.begin(), load.end()) - load.begin());
    load[shard] += std::min(frontier[i].size, 1e250);
    mine[i] = shard == shard_index;
  }
  split.trees.resize(forest.trees());
  split.total.subtrees_total = frontier.size();
  for (size_t i = 0; i < frontier.size(); ++i) {
    ShardSplit& tree = split.trees[frontier[i].tree];
    const uint64_t depth = frontier[i].root.prefix.size();
    tree.depth = std::max(tree.depth, depth);
    split.total.depth = std::max(split.total.depth, depth);
    ++tree.subtrees_total;
    if (mine[i]) tree.mine.push_back(std::move(frontier[i].root.prefix));
  }
  return split;
}

absl::StatusOr<ShardSplit> SplitSchedules(
    const std::function<std::unique_ptr<Strategy>()>& make,
    const SplitRunFn& run, uint32_t shard_index, uint32_t total_shards) {
  OneTree tree(make, run);
  absl::StatusOr<ForestSplit> forest =
      SplitSchedulesOfForest(tree, shard_index, total_shards);
  if (!forest.ok()) return forest.status();
  ShardSplit split = std::move(forest->trees[0]);
  split.probe_runs = forest->total.probe_runs;
  return split;
}

}  // namespace faultline
