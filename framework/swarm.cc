// Swarm faults: which points a swarm section covers, its compiled rules and
// the per-run arming draw (see swarm.h).
#include "framework/swarm.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "framework/rng.h"

namespace faultline {
namespace {

constexpr uint64_t kStreamSwarm = 0x737761726dULL;      // "swarm"
constexpr uint64_t kStreamSwarmTask = 0x7377617461ULL;  // "swata"

}  // namespace

std::vector<int32_t> SwarmPoints(const Swarm& swarm,
                                 const SiteRegistry& sites) {
  std::vector<int32_t> out;
  for (const PointInfo& point : sites.points()) {
    if (absl::StartsWith(point.name, swarm.points_prefix())) {
      out.push_back(point.index);
    }
  }
  return out;
}

std::vector<CompiledRule> CompileSwarmRules(const Plan& plan,
                                            const SiteRegistry& sites,
                                            int32_t first_ordinal) {
  std::vector<CompiledRule> out;
  if (!plan.has_swarm()) return out;
  const Swarm& swarm = plan.swarm();
  for (int32_t point : SwarmPoints(swarm, sites)) {
    CompiledRule rule;
    rule.name = absl::StrCat(kSwarmRulePrefix, sites.point(point).name);
    rule.point = point;
    rule.ordinal = first_ordinal + static_cast<int32_t>(out.size());
    rule.probability = swarm.has_probability() ? swarm.probability() : 1.0;
    rule.swarm_arm_probability = swarm.has_arm_probability()
                                     ? swarm.arm_probability()
                                     : kDefaultSwarmArmProbability;
    rule.swarm_per_task = swarm.per_task();
    if (swarm.has_yield()) {
      rule.action = ActionKind::kYield;
    } else {
      rule.action = ActionKind::kDelay;
      rule.delay_ns = swarm.delay().ns();
      rule.delay_ns_max = swarm.delay().max_ns();
    }
    out.push_back(std::move(rule));
  }
  return out;
}

bool SwarmArmed(uint64_t run_seed, const PointInfo& point,
                double arm_probability) {
  return BitsToUnit(DrawBits({run_seed, point.name_hash, kStreamSwarm})) <
         arm_probability;
}

bool SwarmArmedForTask(uint64_t run_seed, const PointInfo& point,
                       absl::string_view task_name, double arm_probability) {
  return BitsToUnit(DrawBits({run_seed, point.name_hash, NameHash(task_name),
                              kStreamSwarmTask})) < arm_probability;
}

bool SwarmRuleMatchesTask(const CompiledRule& rule, uint64_t run_seed,
                          const PointInfo& point, const std::string& task_name,
                          const std::string& task_role) {
  if (!rule.MatchesTask(task_name, task_role)) return false;
  return !rule.swarm_per_task || SwarmArmedForTask(run_seed, point, task_name,
                                                   rule.swarm_arm_probability);
}

std::string SwarmRuleText(const CompiledRule& rule, const SiteRegistry& sites,
                          absl::string_view task) {
  const std::string& point = sites.point(rule.point).name;
  std::string text =
      absl::StrCat("rules { name: \"", rule.name, "\" point: \"", point, "\"");
  if (!task.empty()) absl::StrAppend(&text, " tasks: \"", task, "\"");
  if (rule.probability < 1.0) {
    absl::StrAppend(&text, " probability: ", rule.probability);
  }
  if (rule.action == ActionKind::kYield) {
    absl::StrAppend(&text, " yield {} }");
  } else if (rule.delay_ns_max > rule.delay_ns) {
    absl::StrAppend(&text, " delay { ns: ", rule.delay_ns,
                    " max_ns: ", rule.delay_ns_max, " } }");
  } else {
    absl::StrAppend(&text, " delay { ns: ", rule.delay_ns, " } }");
  }
  return text;
}

}  // namespace faultline
