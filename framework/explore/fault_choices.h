// -----------------------------------------------------------------------------
// File: fault_choices.h
// -----------------------------------------------------------------------------
//
// Fault choices for systematic search (Rule.branch): which hits of the
// branching rules fire is searched like the schedule. A fire set is the set
// of hits (BranchKey()s) at which branching rules fire; for each fire set
// the strategy (DPOR or bounded exhaustive search) walks every schedule.
//
// Every fire set reachable with at most max_fires fires per rule is
// searched exactly once: the search for a set F records the branching hits
// its runs reach, and each such hit k not in F gives the set F + {k}. That
// is complete: a run whose fires are g1 < g2 < ... (in the order they
// happen) agrees, up to g(i+1), with a run under {g1..gi}, which the search
// for {g1..gi} explores, so it reaches g(i+1). Sets are kept in a set, so
// one reached twice is searched once.
//
// A new fire set is searched as soon as it is found, before the rest of the
// set that found it (depth first over fire sets: runs with faults come
// early). A plan without branching rules has one fire set, the empty one,
// and the walk is the strategy's own.
//
// Split across shards, a shard's runs under a fire set are only its share
// of that set's schedules, so it cannot find every set alone. The shards
// first agree on the sets their split probes reach (the same on every
// shard) and each searches its share of all of them (Preload); a set a
// shard's own runs reach beyond those it searches whole. Every reachable
// set is still searched: the shares of an agreed set together run all of
// its schedules, so whatever they reach some shard finds.
//
// Thread-safety: none (one exploration).

#ifndef FAULTLINE_FRAMEWORK_EXPLORE_FAULT_CHOICES_H_
#define FAULTLINE_FRAMEWORK_EXPLORE_FAULT_CHOICES_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "framework/rule_set.h"
#include "framework/runtime/iteration_config.h"
#include "framework/runtime/strategies/strategy.h"

namespace faultline {
namespace explore_internal {

// The branching rules' limits: which fire sets may be searched.
class FireSetLimits {
 public:
  explicit FireSetLimits(const RuleSet& rules);
  bool branching() const { return !max_fires_.empty(); }
  // `base` plus one hit of `hits` not in it, for each such hit that keeps
  // every rule within its max_fires, in `hits`' order, without repeats.
  std::vector<std::vector<uint64_t>> Extensions(
      const std::vector<uint64_t>& base,
      const std::vector<uint64_t>& hits) const;

 private:
  std::map<int32_t, uint64_t> max_fires_;  // branching rule -> max_fires
};

class FaultChoiceSearch {
 public:
  // Makes the strategy that searches one fire set (sorted BranchKey()s).
  using StrategyFactory =
      std::function<std::unique_ptr<Strategy>(const std::vector<uint64_t>&)>;
  FaultChoiceSearch(const RuleSet& rules, StrategyFactory make);

  // Before the first run: fire sets to search besides those the runs find
  // (the sets every shard agreed on), each once.
  void Preload(const std::vector<std::vector<uint64_t>>& sets);

  // The strategy and fire set of the next run; nullptr once every fire set
  // has been searched.
  Strategy* strategy() const;
  const std::vector<uint64_t>& fires() const;
  // After each run of strategy() under fires(): a run that did not happen
  // (result.ran false) ends this fire set's search.
  void After(const IterationResult& result);

  // Every fire set searched to its strategy's end.
  bool Complete() const;
  uint64_t fire_sets() const { return seen_.size(); }
  // "N fault-choice combinations" and each finished search's Summary().
  std::string Summary() const;

 private:
  struct Search {
    std::vector<uint64_t> fires;  // sorted
    std::unique_ptr<Strategy> strategy;
  };
  StrategyFactory make_;
  FireSetLimits limits_;
  std::vector<Search> searches_;  // stack; back() runs
  std::set<std::vector<uint64_t>> seen_;
  std::vector<std::string> summaries_;
  bool all_complete_ = true;
};

}  // namespace explore_internal
}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_EXPLORE_FAULT_CHOICES_H_
