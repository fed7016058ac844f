// -----------------------------------------------------------------------------
// File: rule.h
// -----------------------------------------------------------------------------
//
// A fault rule compiled for fast evaluation: the firing conditions and the
// action of one `faultline.Rule` from a plan, bound to a point index of the
// SiteRegistry.
//
// Evaluation order (cheapest rejects first, after the Linux kernel's
// should_fail_ex): task filter -> key filter -> skip / nth counters ->
// max_fires -> probability draw. Counters (`matched`, `fired`) belong to the
// RunContext, not to the rule, so one compiled RuleSet serves many runs.
//
// Precedence when several rules name one point: they are evaluated in plan
// order. Every rule that fires runs its action in plan order, except that a
// site takes at most one outcome: after the first fired `fail` or `error`
// rule, later fail/error rules at that point are not evaluated for this hit.
//
// Thread-safety: a compiled Rule is immutable.

#ifndef FAULTLINE_FRAMEWORK_RULE_H_
#define FAULTLINE_FRAMEWORK_RULE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "framework/action_kind.h"

namespace faultline {

struct CompiledRule {
  std::string name;     // report label
  int32_t point = -1;   // SiteRegistry index
  int32_t ordinal = 0;  // position in the plan's rule list

  // Conditions.
  double probability = 1.0;
  uint64_t nth = 0;  // 0 = any
  uint64_t skip = 0;
  uint64_t max_fires = 0;          // 0 = unlimited
  std::vector<std::string> tasks;  // name or role; empty = any
  std::vector<uint64_t> keys;      // empty = any
  // Fault choice: fires exactly at the hits RunOptions::branch_fires names.
  bool branch = false;

  // Action.
  ActionKind action = ActionKind::kFail;
  int64_t error = 0;
  int64_t delay_ns = 0;
  int64_t delay_ns_max = 0;  // > delay_ns: uniform in [delay_ns, max]
  std::string hook;
  std::string hook_arg;
  int32_t hook_index = -1;  // HookRegistry index
  int32_t wait_point = -1;  // SiteRegistry index
  int64_t wait_timeout_ns = 0;
  // > 0: a swarm rule (swarm.h), armed in a run with this chance.
  double swarm_arm_probability = 0;
  // Swarm rule armed per (point, task) rather than per point (swarm.h).
  bool swarm_per_task = false;

  bool ChangesOutcome() const {
    return action == ActionKind::kFail || action == ActionKind::kError;
  }
  bool MatchesTask(const std::string& task_name,
                   const std::string& task_role) const;
  bool MatchesKey(uint64_t key) const;
};

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RULE_H_
