// Merging shard reports into one verdict (see report_merge.h).
#include "framework/explore/report_merge.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "framework/explore/expectations.h"
#include "framework/explore/explorer.h"

namespace faultline {
namespace {

// Every shard must come from the same run: same plan, seed, strategy,
// backend and shard count.
absl::Status CheckSameRun(const Plan& plan, const std::vector<Report>& shards) {
  const uint64_t plan_hash = PlanHash(plan);
  const Report& first = shards.front();
  for (const Report& r : shards) {
    const std::string who = absl::StrCat(
        "the report of shard ", r.shard_index(), " (", r.plan_path(), ")");
    if (r.merged_shards() > 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(who, " is itself a merge of ", r.merged_shards(),
                       " shards; give the shards' own reports"));
    }
    if (r.plan_hash() != plan_hash) {
      return absl::InvalidArgumentError(absl::StrCat(
          who,
          " is of another plan: its scenario or rules differ from the "
          "plan given"));
    }
    if (r.seed() != first.seed() || r.strategy() != first.strategy() ||
        r.backend() != first.backend()) {
      return absl::InvalidArgumentError(
          absl::StrCat(who, " ran seed ", r.seed(), " with ", r.strategy(),
                       " on ", r.backend(), ", the first report seed ",
                       first.seed(), " with ", first.strategy(), " on ",
                       first.backend(), ": these are not shards of one run"));
    }
    if (r.total_shards() != first.total_shards()) {
      return absl::InvalidArgumentError(absl::StrCat(
          who, " is one of ", r.total_shards(),
          " shards, the first report one of ", first.total_shards()));
    }
  }
  return absl::OkStatus();
}

// Shards 0..N-1, each exactly once.
absl::Status CheckEveryShardOnce(const std::vector<Report>& sorted) {
  const uint32_t n = std::max<uint32_t>(1, sorted.front().total_shards());
  std::vector<std::string> missing;
  size_t next = 0;
  for (uint32_t index = 0; index < n; ++index) {
    if (next < sorted.size() && sorted[next].shard_index() == index) {
      ++next;
      if (next < sorted.size() && sorted[next].shard_index() == index) {
        return absl::InvalidArgumentError(
            absl::StrCat("shard ", index, " is given twice"));
      }
    } else {
      missing.push_back(absl::StrCat(index));
    }
  }
  if (next != sorted.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("shard ", sorted[next].shard_index(),
                     " is out of range: ", "the run had ", n, " shards"));
  }
  if (!missing.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "shard", missing.size() > 1 ? "s " : " ", absl::StrJoin(missing, ", "),
        " of ", n, " missing: a verdict needs every shard's report"));
  }
  return absl::OkStatus();
}

void AddPoints(const Report& shard, Report* merged) {
  for (const PointStats& p : shard.points()) {
    PointStats* into = nullptr;
    for (PointStats& q : *merged->mutable_points()) {
      if (q.name() == p.name()) into = &q;
    }
    if (into == nullptr) {
      *merged->add_points() = p;
      continue;
    }
    into->set_reached(into->reached() + p.reached());
    into->set_evaluated(into->evaluated() + p.evaluated());
    for (const auto& [kind, n] : p.fired()) (*into->mutable_fired())[kind] += n;
  }
  for (const RuleStats& r : shard.rules()) {
    RuleStats* into = nullptr;
    for (RuleStats& q : *merged->mutable_rules()) {
      if (q.name() == r.name() && q.point() == r.point()) into = &q;
    }
    if (into == nullptr) {
      *merged->add_rules() = r;
      continue;
    }
    into->set_matched(into->matched() + r.matched());
    into->set_fired(into->fired() + r.fired());
  }
}

// Names listed by every shard (a point one shard reached was reached).
using NameList =
    const google::protobuf::RepeatedPtrField<std::string>& (Report::*)() const;
std::vector<std::string> InEvery(const std::vector<Report>& shards,
                                 NameList list) {
  const auto& first = (shards.front().*list)();
  std::vector<std::string> common(first.begin(), first.end());
  for (const Report& r : shards) {
    const std::set<std::string> here((r.*list)().begin(), (r.*list)().end());
    common.erase(std::remove_if(common.begin(), common.end(),
                                [&](const std::string& name) {
                                  return here.count(name) == 0;
                                }),
                 common.end());
  }
  return common;
}

// The search is complete when every shard that had a share finished it
// and, for a split search, the shares cover every subtree.
bool Complete(const std::vector<Report>& shards) {
  bool any_share = false;
  uint64_t subtrees_here = 0;
  for (const Report& r : shards) {
    subtrees_here += r.split_subtrees_here();
    if (r.iterations_planned() == 0) continue;
    any_share = true;
    if (!r.complete()) return false;
  }
  const uint64_t subtrees_total = shards.front().split_subtrees_total();
  return any_share && (subtrees_total == 0 || subtrees_here == subtrees_total);
}

std::string StopReasons(const std::vector<Report>& shards) {
  std::set<std::string> reasons;  // sorted: the same text for any order
  for (const Report& r : shards) {
    if (r.iterations_planned() > 0) reasons.insert(r.stop_reason());
  }
  return reasons.empty() ? shards.front().stop_reason()
                         : absl::StrJoin(reasons, ", ");
}

}  // namespace

absl::StatusOr<Report> MergeShardReports(const Plan& plan,
                                         std::vector<Report> shards) {
  if (shards.empty()) {
    return absl::InvalidArgumentError("no shard reports to merge");
  }
  absl::Status same = CheckSameRun(plan, shards);
  if (!same.ok()) return same;
  std::sort(shards.begin(), shards.end(), [](const Report& a, const Report& b) {
    return a.shard_index() < b.shard_index();
  });
  absl::Status once = CheckEveryShardOnce(shards);
  if (!once.ok()) return once;
  for (const Report& r : shards) {
    if (r.split_subtrees_total() != shards.front().split_subtrees_total()) {
      return absl::InvalidArgumentError(
          absl::StrCat("shard ", r.shard_index(), " split the search into ",
                       r.split_subtrees_total(), " subtrees, shard 0 into ",
                       shards.front().split_subtrees_total(),
                       ": these are not shards of one run"));
    }
  }

  const Report& first = shards.front();
  Report merged;
  merged.set_plan_path(first.plan_path());
  merged.set_description(first.description());
  merged.set_scenario(first.scenario());
  merged.set_variant(first.variant());
  merged.set_backend(first.backend());
  merged.set_strategy(first.strategy());
  merged.set_seed(first.seed());
  merged.set_plan_hash(first.plan_hash());
  merged.set_total_shards(first.total_shards());
  merged.set_merged_shards(shards.size());
  merged.set_split_subtrees_total(first.split_subtrees_total());

  std::vector<std::string> summaries;
  std::map<std::string, const ViolationReport*> first_of_check;
  for (const Report& r : shards) {
    merged.set_iterations_planned(merged.iterations_planned() +
                                  r.iterations_planned());
    merged.set_iterations_run(merged.iterations_run() + r.iterations_run());
    // Summed: schedules are distinct within a shard; a random search's
    // shards may repeat one another's.
    merged.set_distinct_schedules(merged.distinct_schedules() +
                                  r.distinct_schedules());
    merged.set_distinct_schedules_capped(merged.distinct_schedules_capped() ||
                                         r.distinct_schedules_capped());
    // Outcomes repeat across shards: the largest shard's count is a lower
    // bound, so a merge of two or more says "at least".
    if (r.distinct_outcomes() > 0 && merged.distinct_outcomes() > 0) {
      merged.set_distinct_outcomes_capped(true);
    }
    merged.set_distinct_outcomes(
        std::max(merged.distinct_outcomes(), r.distinct_outcomes()));
    merged.set_distinct_outcomes_capped(merged.distinct_outcomes_capped() ||
                                        r.distinct_outcomes_capped());
    merged.set_outcome_runs(merged.outcome_runs() + r.outcome_runs());
    merged.set_total_steps(merged.total_steps() + r.total_steps());
    // Shards run side by side: the run took as long as the slowest.
    merged.set_wall_seconds(std::max(merged.wall_seconds(), r.wall_seconds()));
    merged.set_split_depth(std::max(merged.split_depth(), r.split_depth()));
    merged.set_split_subtrees_here(merged.split_subtrees_here() +
                                   r.split_subtrees_here());
    merged.set_split_probe_runs(merged.split_probe_runs() +
                                r.split_probe_runs());
    if (!r.strategy_summary().empty()) {
      summaries.push_back(
          absl::StrCat("shard ", r.shard_index(), ": ", r.strategy_summary()));
    }
    AddPoints(r, &merged);
    for (const auto& [check, n] : r.violations_by_check()) {
      (*merged.mutable_violations_by_check())[check] += n;
    }
    // The earliest violation of each check (random and PCT shards number
    // iterations globally; a tie goes to the lower shard), with its token.
    for (const ViolationReport& v : r.violations()) {
      auto [it, added] = first_of_check.emplace(v.check(), &v);
      if (!added && v.iteration() < it->second->iteration()) it->second = &v;
    }
  }
  // In the order the shards report them, so the text reads like one run's.
  for (const Report& r : shards) {
    for (const ViolationReport& v : r.violations()) {
      if (first_of_check.at(v.check()) == &v) *merged.add_violations() = v;
    }
  }
  if (merged.wall_seconds() > 0) {
    merged.set_schedules_per_second(merged.iterations_run() /
                                    merged.wall_seconds());
  }
  merged.set_complete(Complete(shards));
  merged.set_stop_reason(merged.complete() ? "exhausted" : StopReasons(shards));
  merged.set_strategy_summary(absl::StrJoin(summaries, "; "));
  for (const std::string& name :
       InEvery(shards, &Report::points_never_reached)) {
    merged.add_points_never_reached(name);
  }
  for (const std::string& name : InEvery(shards, &Report::rules_never_fired)) {
    merged.add_rules_never_fired(name);
  }
  EvaluateExpectations(plan, &merged);
  return merged;
}

absl::StatusOr<Report> ReportFromJson(absl::string_view json) {
  Report report;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(
      std::string(json), &report, options);
  if (!status.ok()) {
    // The parser's message goes on to echo the input and a caret: one line.
    const std::string message(status.message());
    return absl::InvalidArgumentError(absl::StrCat(
        "not a faultline report: ", message.substr(0, message.find('\n'))));
  }
  return report;
}

}  // namespace faultline
