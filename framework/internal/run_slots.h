// -----------------------------------------------------------------------------
// File: internal/run_slots.h
// -----------------------------------------------------------------------------
//
// How a RunContext lays out its rules and points for the hit path: the hot
// fields of each rule (HotRule) stored per point in plan order, so a hit
// reads one contiguous block instead of chasing RuleSet -> by_point -> rule
// -> counters (see BENCHMARKS.md), and one PointSlot per point. Private to
// the run context's implementation (run_context.cc, run_hit.cc).
//
// Thread-safety: the counters are atomics; everything else is written by the
// RunContext constructor only.

#ifndef FAULTLINE_FRAMEWORK_INTERNAL_RUN_SLOTS_H_
#define FAULTLINE_FRAMEWORK_INTERNAL_RUN_SLOTS_H_

#include <atomic>
#include <cstdint>

#include "framework/rule.h"
#include "framework/site_registry.h"

namespace faultline {
namespace internal {

// The hot fields of one rule plus its shared counters.
struct HotRule {
  const CompiledRule* rule = nullptr;
  double probability = 1.0;
  uint64_t fire_below = 0;  // UnitBound(probability) (rng.h)
  uint64_t skip = 0;
  uint64_t nth = 0;
  uint64_t max_fires = 0;
  uint32_t hot_index = 0;  // position in hot_rules_ and in the shards
  bool task_filtered = false;
  bool key_filtered = false;
  bool changes_outcome = false;
  // skip/nth: `matched` is the shared, exact counter the decision needs.
  // Otherwise matched is counted in the shards.
  bool shared_matched = false;
  // No filter, no skip/nth, probability 0: never fires, and every hit at
  // the point matches it unless an earlier fail/error rule took the
  // outcome. Its shard entry counts those skipped hits instead, and
  // matched = reached - skipped: a hit does nothing for it.
  bool inert = false;
  std::atomic<uint64_t> matched{0};  // only if shared_matched
  std::atomic<uint64_t> fired{0};
};

// One per point. `evaluated` is derived from `reached` (point_counters()),
// and `reached` lives in the shards.
struct PointSlot {
  std::atomic<uint64_t> fired[kActionKindCount] = {};
  const PointInfo* info = nullptr;
  HotRule* rules = nullptr;  // rule_count entries of hot_rules_
  uint32_t rule_count = 0;
  // Some wait_for rule waits for this point: a hit must wake waiters.
  bool waited_on = false;
  // Set by the first hit of a waited_on point (point_reached() without
  // summing shards).
  std::atomic<bool> reached_flag{false};
};

}  // namespace internal
}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_INTERNAL_RUN_SLOTS_H_
