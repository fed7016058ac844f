// What a run counted, read while it runs or after: per-point and per-rule
// counters summed over the counter shards, and the violations (see
// run_context.h).
#include <cstdint>
#include <mutex>
#include <vector>

#include "framework/check.h"
#include "framework/internal/counter_shards.h"
#include "framework/internal/run_slots.h"
#include "framework/run_context.h"

namespace faultline {

PointCounters RunContext::point_counters(int32_t point) const {
  FL_CHECK(point >= 0 && point < point_count_);
  PointCounters out;
  const PointSlot& in = points_[point];
  out.reached = shards_->Sum(point);
  // Every hit at a point with rules is evaluated, and a RuleSet never
  // changes, so this needs no counter of its own on the hot path.
  out.evaluated = in.rule_count == 0 ? 0 : out.reached;
  for (int i = 0; i < kActionKindCount; ++i) {
    out.fired[i] = in.fired[i].load(std::memory_order_relaxed);
  }
  return out;
}

RuleCounters RunContext::rule_counters(int32_t rule) const {
  FL_CHECK(rule >= 0 && static_cast<size_t>(rule) < hot_rule_of_.size());
  const HotRule& in = hot_rules_[hot_rule_of_[rule]];
  uint64_t matched;
  if (in.shared_matched) {
    matched = in.matched.load(std::memory_order_relaxed);
  } else if (in.inert) {
    // Every hit at the point, less those an earlier fail/error rule took.
    matched = shards_->SumExcess(in.rule->point, point_count_ + in.hot_index);
  } else {
    matched = shards_->Sum(point_count_ + in.hot_index);
  }
  return {matched, in.fired.load(std::memory_order_relaxed)};
}

bool RunContext::point_reached(int32_t point) const {
  return points_[point].reached_flag.load(std::memory_order_acquire) ||
         shards_->Sum(point) != 0;
}

std::vector<Violation> RunContext::violations() const {
  base::MutexLock lock(&violations_mu_);
  return violations_;
}

}  // namespace faultline
