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

FaultChoiceSearch::FaultChoiceSearch(const RuleSet& rules, StrategyFactory make)
    : make_(std::move(make)) {
  for (const CompiledRule& rule : rules.rules()) {
    if (rule.branch) max_fires_[rule.ordinal] = rule.max_fires;
  }
  searches_.push_back({{}, make_({})});
  seen_.insert(std::vector<uint64_t>{});
}

Strategy* FaultChoiceSearch::strategy() const {
  return searches_.empty() ? nullptr : searches_.back().strategy.get();
}

const std::vector<uint64_t>& FaultChoiceSearch::fires() const {
  FL_CHECK(!searches_.empty());
  return searches_.back().fires;
}

bool FaultChoiceSearch::Allowed(const std::vector<uint64_t>& fires) const {
  std::map<int32_t, uint64_t> count;
  for (uint64_t key : fires) {
    auto it = max_fires_.find(BranchKeyRule(key));
    if (it == max_fires_.end() || ++count[it->first] > it->second) {
      return false;
    }
  }
  return true;
}

void FaultChoiceSearch::After(const IterationResult& result) {
  FL_CHECK(!searches_.empty());
  if (!result.ran) {
    Search& done = searches_.back();
    all_complete_ &= done.strategy->Complete();
    if (max_fires_.empty()) {
      summaries_.push_back(done.strategy->Summary());
    } else {
      summaries_.push_back(absl::StrCat("fires {",
                                        absl::StrJoin(done.fires, ","),
                                        "}: ", done.strategy->Summary()));
    }
    searches_.pop_back();
    return;
  }
  if (max_fires_.empty()) return;
  // Hits reached under this fire set that did not fire: each gives a fire
  // set with one more fire.
  const std::vector<uint64_t> base = searches_.back().fires;
  for (uint64_t key : result.branch_hits) {
    if (std::binary_search(base.begin(), base.end(), key)) continue;
    std::vector<uint64_t> next = base;
    next.insert(std::upper_bound(next.begin(), next.end(), key), key);
    if (!Allowed(next) || !seen_.insert(next).second) continue;
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
  if (max_fires_.empty()) {
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
