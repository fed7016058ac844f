// Point and rule counters summed over iterations (see coverage.h).
#include "framework/explore/coverage.h"

#include <cstdint>
#include <set>

#include "framework/check.h"

namespace faultline {
namespace explore_internal {

Coverage::Coverage(const RuleSet& rules)
    : points_(rules.point_count()), rules_(rules.rules().size()) {}

void Coverage::Add(const IterationResult& result) {
  for (size_t i = 0; i < result.points.size() && i < points_.size(); ++i) {
    points_[i].reached += result.points[i].reached;
    points_[i].evaluated += result.points[i].evaluated;
    for (int k = 0; k < kActionKindCount; ++k) {
      points_[i].fired[k] += result.points[i].fired[k];
    }
  }
  for (size_t i = 0; i < result.rules.size() && i < rules_.size(); ++i) {
    rules_[i].matched += result.rules[i].matched;
    rules_[i].fired += result.rules[i].fired;
  }
}

void Coverage::Fill(const RuleSet& rules, Report* report) const {
  FL_CHECK(report != nullptr);
  FL_CHECK(static_cast<size_t>(rules.point_count()) == points_.size());
  FL_CHECK(rules.rules().size() == rules_.size());
  const SiteRegistry& sites = rules.sites();
  std::set<int32_t> rule_points;
  for (const CompiledRule& rule : rules.rules()) rule_points.insert(rule.point);
  for (int32_t p = 0; p < static_cast<int32_t>(points_.size()); ++p) {
    const PointCounters& c = points_[p];
    if (c.reached == 0 && rule_points.count(p) == 0) continue;
    PointStats* stats = report->add_points();
    stats->set_name(sites.point(p).name);
    stats->set_reached(c.reached);
    stats->set_evaluated(c.evaluated);
    for (int k = 0; k < kActionKindCount; ++k) {
      if (c.fired[k] == 0) continue;
      (*stats->mutable_fired())[ActionKindName(static_cast<ActionKind>(k))] =
          c.fired[k];
    }
    if (c.reached == 0) report->add_points_never_reached(sites.point(p).name);
  }
  for (size_t r = 0; r < rules_.size(); ++r) {
    const CompiledRule& rule = rules.rule(static_cast<int32_t>(r));
    RuleStats* stats = report->add_rules();
    stats->set_name(rule.name);
    stats->set_point(sites.point(rule.point).name);
    stats->set_matched(rules_[r].matched);
    stats->set_fired(rules_[r].fired);
    if (rules_[r].fired == 0) report->add_rules_never_fired(rule.name);
  }
}

}  // namespace explore_internal
}  // namespace faultline
