// -----------------------------------------------------------------------------
// File: shard_split.h
// -----------------------------------------------------------------------------
//
// Splitting a systematic search across test shards. The schedule tree is
// probed from the root: a subtree is split one level further
// (Strategy::ProbeSubtrees below its prefix; DPOR goes on to the first
// level with two branches or more) until there are at least
// kSubtreesPerShard x shards subtrees and none looks larger than a
// sixteenth of a shard's share (or every subtree is one schedule). The
// subtree split next is, turn about, the one that looks largest and the
// one whose root is shallowest. A subtree's size is guessed from what its
// probe run saw: the probe's own guess if it makes one (unbounded DPOR:
// the branches the races of its first run give it, dpor.cc), else the ways
// to place the preemptions left among the steps below it. The subtrees
// are dealt out largest first, each to the shard with the least guessed
// work; shard K walks its own from their prefixes
// (Strategy::StartFromPrefixes). The
// union over shards is exactly the schedules of the unsplit walk, and no
// schedule is explored by two shards.
//
// The split depends only on the program and the strategy (never on timing),
// so every shard computes the same one on its own; each pays the probe's
// runs, about one per subtree.
//
// Example:
//   absl::StatusOr<ShardSplit> split =
//       SplitSchedules(make_strategy, run_one, shard_index, total_shards);
//   strategy->StartFromPrefixes(split->mine);
//
// Thread-safety: none (runs iterations on the calling thread).

#ifndef FAULTLINE_FRAMEWORK_EXPLORE_SHARD_SPLIT_H_
#define FAULTLINE_FRAMEWORK_EXPLORE_SHARD_SPLIT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "framework/runtime/strategies/strategy.h"

namespace faultline {

// Several subtrees per shard, so that the guesses' errors even out.
constexpr uint64_t kSubtreesPerShard = 64;

struct ShardSplit {
  uint64_t depth = 0;  // choices in the longest subtree prefix
  uint64_t subtrees_total = 0;
  std::vector<std::vector<uint32_t>> mine;  // this shard's prefixes, in order
  uint64_t probe_runs = 0;                  // iterations the probe ran
};

// Runs one iteration under `strategy`; false once the strategy has nothing
// left to run.
using SplitRunFn = std::function<absl::StatusOr<bool>(Strategy* strategy)>;

// Probes fresh strategies from `make` (which must support ProbeSubtrees) and
// returns shard `shard_index`'s part. FailedPrecondition if the strategy
// cannot split.
//
// Several trees (the fire sets of a fault-choice search) split together:
// one frontier holds subtrees of all of them, the subtree split next (as
// above) may be in any tree, and all are dealt out together, so a small
// tree is not split as finely as a large one and the guesses' errors even
// out over all of them. The forest may grow while it is probed (a probe
// run under one fire set reaches the hit that makes another); every tree
// is probed at least at its root.
class SplitForest {
 public:
  virtual ~SplitForest() = default;
  virtual size_t trees() const = 0;
  virtual std::unique_ptr<Strategy> Make(size_t tree) = 0;
  // Runs one iteration of tree `tree` under `strategy`; false once the
  // strategy has nothing left to run.
  virtual absl::StatusOr<bool> Run(size_t tree, Strategy* strategy) = 0;
};

// Shard `shard_index`'s part of each tree of `forest`, by tree index; the
// totals (subtrees, probe runs, depth) are over the whole forest.
struct ForestSplit {
  std::vector<ShardSplit> trees;
  ShardSplit total;  // its `mine` stays empty
};
absl::StatusOr<ForestSplit> SplitSchedulesOfForest(SplitForest& forest,
                                                   uint32_t shard_index,
                                                   uint32_t total_shards);

absl::StatusOr<ShardSplit> SplitSchedules(
    const std::function<std::unique_ptr<Strategy>()>& make,
    const SplitRunFn& run, uint32_t shard_index, uint32_t total_shards);

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_EXPLORE_SHARD_SPLIT_H_
