// Fault choices for systematic search: fire sets, each searched once (see
// fault_choices.h).
#include "framework/explore/fault_choices.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "framework/check.h"
#include "framework/run_context.h"

namespace faultline {
namespace explore_internal {

FireSetLimits::FireSetLimits(const RuleSet& rules) {
  for (const CompiledRule& rule : rules.rules()) {
    if (rule.branch) max_fires_[rule.ordinal] = rule.max_fires;
  }
}

std::vector<std::vector<uint64_t>> FireSetLimits::Extensions(
    const std::vector<uint64_t>& base,
    const std::vector<uint64_t>& hits) const {
  std::vector<std::vector<uint64_t>> out;
  if (max_fires_.empty()) return out;
  for (uint64_t key : hits) {
    if (std::binary_search(base.begin(), base.end(), key)) continue;
    std::vector<uint64_t> next = base;
    next.insert(std::upper_bound(next.begin(), next.end(), key), key);
    std::map<int32_t, uint64_t> count;
    bool allowed = true;
    for (uint64_t fire : next) {
      auto it = max_fires_.find(BranchKeyRule(fire));
      if (it == max_fires_.end() || ++count[it->first] > it->second) {
        allowed = false;
        break;
      }
    }
    if (allowed && std::find(out.begin(), out.end(), next) == out.end()) {
      out.push_back(std::move(next));
    }
  }
  return out;
}

FaultChoiceSearch::FaultChoiceSearch(const RuleSet& rules, StrategyFactory make)
    : make_(std::move(make)), limits_(rules) {
  searches_.push_back({{}, make_({})});
  seen_.insert(std::vector<uint64_t>{});
}

void FaultChoiceSearch::Preload(
    const std::vector<std::vector<uint64_t>>& sets) {
  for (const std::vector<uint64_t>& fires : sets) {
    if (!seen_.insert(fires).second) continue;
    searches_.push_back({fires, make_(fires)});
  }
}

Strategy* FaultChoiceSearch::strategy() const {
  return searches_.empty() ? nullptr : searches_.back().strategy.get();
}

const std::vector<uint64_t>& FaultChoiceSearch::fires() const {
  FL_CHECK(!searches_.empty());
  return searches_.back().fires;
}

void FaultChoiceSearch::After(const IterationResult& result) {
  FL_CHECK(!searches_.empty());
  if (!result.ran) {
    Search& done = searches_.back();
    all_complete_ &= done.strategy->Complete();
    if (!limits_.branching()) {
      summaries_.push_back(done.strategy->Summary());
    } else {
      summaries_.push_back(absl::StrCat("fires {",
                                        absl::StrJoin(done.fires, ","),
                                        "}: ", done.strategy->Summary()));
    }
    searches_.pop_back();
    return;
  }
  // Hits reached under this fire set that did not fire: each gives a fire
  // set with one more fire.
  for (std::vector<uint64_t>& next :
       limits_.Extensions(searches_.back().fires, result.branch_hits)) {
    if (!seen_.insert(next).second) continue;
    std::unique_ptr<Strategy> strategy = make_(next);
    searches_.push_back({std::move(next), std::move(strategy)});
  }
}

bool FaultChoiceSearch::Complete() const {
  if (!all_complete_) return false;
  for (const Search& open : searches_) {
    if (!open.strategy->Complete()) return false;
  }
  return true;
}

std::string FaultChoiceSearch::Summary() const {
  if (!limits_.branching()) {
    if (!searches_.empty()) return searches_.back().strategy->Summary();
    return summaries_.empty() ? std::string() : summaries_.back();
  }
  std::vector<std::string> parts = summaries_;
  for (const Search& open : searches_) {
    parts.push_back(absl::StrCat("fires {", absl::StrJoin(open.fires, ","),
                                 "}: ", open.strategy->Summary()));
  }
  return absl::StrCat(seen_.size(), " fault-choice combinations (",
                      summaries_.size(), " searched to the end); ",
                      absl::StrJoin(parts, "; "));
}

}  // namespace explore_internal
}  // namespace faultline
