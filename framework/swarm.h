// -----------------------------------------------------------------------------
// File: swarm.h
// -----------------------------------------------------------------------------
//
// Swarm faults (after Groce et al., "Swarm Testing", ISSTA 2012): a plan's
// `swarm` section arms, in each iteration, a random subset of the fault
// points whose names start with a prefix, with one generic action (a short
// delay or a yield). No point is named, yet over many iterations every
// combination of widened windows is tried, including the few a race needs.
//
// A swarm section compiles into one rule per matching point, appended after
// the plan's own rules (so those keep their ordinals and draws) and named
// "swarm <point>". Whether such a rule is armed in a run is a pure function
// of the run's seed and the point's name (SwarmArmed), so iteration i arms
// the same points in any shard layout, replay and minimization. An armed
// rule then fires on a hit like any rule with `probability`. With
// `per_task`, each (point, task name) pair draws on its own
// (SwarmArmedForTask), so one readahead can be slowed and the other not.
//
// Example:
//   swarm { points_prefix: "eb." delay { ns: 1000 max_ns: 20000 } }
//
// Thread-safety: functions are pure.

#ifndef FAULTLINE_FRAMEWORK_SWARM_H_
#define FAULTLINE_FRAMEWORK_SWARM_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "framework/plan.pb.h"
#include "framework/rule.h"
#include "framework/site_registry.h"

namespace faultline {

// Name prefix of the rules a swarm section compiles into.
inline constexpr absl::string_view kSwarmRulePrefix = "swarm ";
// Chance that a matching point is armed when arm_probability is unset.
inline constexpr double kDefaultSwarmArmProbability = 0.5;

// Indices of the points `swarm` covers, in registry (name) order.
std::vector<int32_t> SwarmPoints(const Swarm& swarm, const SiteRegistry& sites);

// The compiled rules of the plan's swarm section (none if it has none),
// ordinals from `first_ordinal` on.
std::vector<CompiledRule> CompileSwarmRules(const Plan& plan,
                                            const SiteRegistry& sites,
                                            int32_t first_ordinal);

// True if a swarm rule at `point` is armed in the run with `run_seed`.
bool SwarmArmed(uint64_t run_seed, const PointInfo& point,
                double arm_probability);
// With `per_task`: true if it is armed for the task named `task_name` (a
// name, not an ordinal, so the draw is the same under both backends).
bool SwarmArmedForTask(uint64_t run_seed, const PointInfo& point,
                       absl::string_view task_name, double arm_probability);

// Whether a swarm rule acts for a task in the run with `run_seed`: its
// task filter and, for a per-task rule, that task's arming draw.
bool SwarmRuleMatchesTask(const CompiledRule& rule, uint64_t run_seed,
                          const PointInfo& point, const std::string& task_name,
                          const std::string& task_role);

// A swarm rule as a plan rule a user can paste: `rules { name: "..."
// point: "..." probability: ... delay { ns: ... max_ns: ... } }`. A
// per-task rule names the task that fired it (`tasks: "cpu0"`); pass ""
// for none.
std::string SwarmRuleText(const CompiledRule& rule, const SiteRegistry& sites,
                          absl::string_view task = "");

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_SWARM_H_
