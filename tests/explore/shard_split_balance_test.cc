// Goal: the split probe (shard_split.h) splits a subtree that holds most of
// the work even when its size guess ranks it low, as DPOR's one-run guess
// ranks the heavy first child of a shallow state on the btrfs_eb plans.
// Method: a synthetic schedule tree whose nodes carry a true size and a
// guess: a shallow subtree holding half the schedules, every node of it
// guessed at 2, beside subtrees that sit below long single-choice chains
// and are guessed at 4 throughout (as DPOR's guesses run from 1 to a few
// on those plans, whatever the size). A fake strategy lists each
// node's children with their guesses (no program runs); the split is dealt
// to 2, 3 and 4 shards and each shard's true work is summed over its
// prefixes. Splitting only by the largest guess leaves most of the heavy
// subtree on one shard (on 4 shards more than twice a fair share).
#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "framework/explore/shard_split.h"
#include "framework/runtime/strategies/strategy.h"
#include "gtest/gtest.h"

namespace faultline {
namespace {

using Prefix = std::vector<uint32_t>;

struct Node {
  double guess = 1;
  uint64_t size = 1;             // schedules below it, the truth
  std::vector<Prefix> children;  // empty: one schedule
};

class SyntheticTree {
 public:
  // A shallow first child of `size` schedules, every node guessed at 2:
  // its own first child holds half and three later siblings the rest.
  Prefix AddHeavy(const Prefix& at, uint32_t choice, uint64_t size) {
    Prefix prefix = at;
    prefix.push_back(choice);
    Node& node = nodes_[prefix];
    node.guess = 2;
    node.size = size;
    if (size <= 8) return prefix;
    node.children.push_back(AddHeavy(prefix, 1, size / 2));
    const uint64_t rest = size - size / 2;
    for (uint32_t c = 2; c <= 4; ++c) {
      node.children.push_back(
          AddHeavy(prefix, c, c < 4 ? rest / 3 : rest - 2 * (rest / 3)));
    }
    return prefix;
  }

  // A subtree below a chain of `chain` single choices, every node guessed
  // at 4: even children, each built the same way.
  Prefix AddDeep(const Prefix& at, uint32_t choice, uint64_t size, int chain) {
    Prefix prefix = at;
    prefix.push_back(choice);
    prefix.insert(prefix.end(), chain, 1);
    Node& node = nodes_[prefix];
    node.guess = 4;
    node.size = size;
    if (size <= 8) return prefix;
    for (uint32_t c = 1; c <= 4; ++c) {
      node.children.push_back(AddDeep(prefix, c, size / 4, chain));
    }
    return prefix;
  }

  void SetRoot(std::vector<Prefix> children) {
    Node& root = nodes_[Prefix()];
    root.children = std::move(children);
    root.size = 0;
    for (const Prefix& child : root.children) root.size += nodes_[child].size;
  }

  const Node& At(const Prefix& prefix) const { return nodes_.at(prefix); }

 private:
  std::map<Prefix, Node> nodes_;
};

// Lists the children of the node it probes below, with their guesses.
class ListingStrategy final : public Strategy {
 public:
  explicit ListingStrategy(const SyntheticTree& tree) : tree_(tree) {}
  bool BeginIteration(uint64_t) override { return false; }
  uint32_t Choose(const SchedulingPoint&) override { return 1; }
  std::string Name() const override { return "listing"; }
  StrategyKind kind() const override { return StrategyKind::kDpor; }
  bool ProbeSubtrees(size_t) override { return true; }
  bool StartFromPrefixes(std::vector<Prefix> prefixes) override {
    at_ = prefixes.front();
    return true;
  }
  std::vector<SubtreeRoot> Subtrees() const override {
    std::vector<SubtreeRoot> out;
    for (const Prefix& child : tree_.At(at_).children) {
      SubtreeRoot root;
      root.prefix = child;
      root.leaf = tree_.At(child).children.empty();
      root.size_guess = tree_.At(child).guess;
      out.push_back(std::move(root));
    }
    return out;
  }

 private:
  const SyntheticTree& tree_;
  Prefix at_;
};

class SyntheticForest final : public SplitForest {
 public:
  explicit SyntheticForest(const SyntheticTree& tree) : tree_(tree) {}
  size_t trees() const override { return 1; }
  std::unique_ptr<Strategy> Make(size_t) override {
    return std::make_unique<ListingStrategy>(tree_);
  }
  absl::StatusOr<bool> Run(size_t, Strategy*) override { return false; }

 private:
  const SyntheticTree& tree_;
};

TEST(ShardSplitBalance, SplitsAHeavySubtreeItsGuessRanksLow) {
  SyntheticTree tree;
  constexpr uint64_t kHeavy = 8192;
  std::vector<Prefix> top = {tree.AddHeavy({}, 1, kHeavy)};
  for (uint32_t c = 2; c <= 9; ++c) {
    top.push_back(tree.AddDeep({}, c, kHeavy / 8, /*chain=*/30));
  }
  tree.SetRoot(top);
  const uint64_t total = tree.At({}).size;
  ASSERT_EQ(total, 2 * kHeavy);
  SyntheticForest forest(tree);
  for (uint32_t shards : {2u, 3u, 4u}) {
    uint64_t busiest = 0;
    uint64_t covered = 0;
    for (uint32_t shard = 0; shard < shards; ++shard) {
      absl::StatusOr<ForestSplit> split =
          SplitSchedulesOfForest(forest, shard, shards);
      ASSERT_TRUE(split.ok()) << split.status();
      uint64_t work = 0;
      for (const Prefix& prefix : split->trees[0].mine) {
        work += tree.At(prefix).size;
      }
      busiest = std::max(busiest, work);
      covered += work;
    }
    EXPECT_EQ(covered, total) << shards << " shards";
    // A fair share, with 30% to spare for the guesses' errors; splitting
    // by the largest guess alone gives 1.4, 1.9 and 2.3 fair shares here.
    EXPECT_LE(busiest * shards * 10, total * 13)
        << shards << " shards: the busiest has " << busiest << " of " << total;
  }
}

}  // namespace
}  // namespace faultline
