// Validation of a plan's swarm section (see swarm_check.h).
#include "framework/swarm_check.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "framework/suggest.h"
#include "framework/swarm.h"

namespace faultline {
namespace {

absl::Status Bad(absl::string_view where, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(where, message));
}

// Either unset, or in (0, 1]: 0 would arm or fire nothing.
absl::Status CheckChance(
    bool set, double value, absl::string_view field,
    absl::string_view zero_means,
    absl::FunctionRef<std::string(absl::string_view)> where) {
  if (!set) return absl::OkStatus();
  if (!(value > 0.0 && value <= 1.0)) {  // written so NaN fails too
    return Bad(
        where(field),
        absl::StrCat("expected a value in (0, 1], got ", value,
                     value == 0.0 ? absl::StrCat(" (", zero_means, ")") : ""));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckSwarm(
    const Plan& plan, const SiteRegistry& sites,
    absl::FunctionRef<std::string(absl::string_view field)> where) {
  if (!plan.has_swarm()) return absl::OkStatus();
  const Swarm& swarm = plan.swarm();
  const std::string& prefix = swarm.points_prefix();
  if (SwarmPoints(swarm, sites).empty()) {
    // Suggest among every dotted prefix of a point name ("eb.", "eb.find_
    // extent_buffer.") and the names themselves.
    std::set<std::string> candidates;
    for (const PointInfo& point : sites.points()) {
      for (size_t dot = point.name.find('.'); dot != std::string::npos;
           dot = point.name.find('.', dot + 1)) {
        candidates.insert(point.name.substr(0, dot + 1));
      }
      candidates.insert(point.name);
    }
    ClosestMatch match(prefix);
    for (const std::string& candidate : candidates) match.Consider(candidate);
    return Bad(where("points_prefix"),
               absl::StrCat("the swarm set is empty: no fault point name "
                            "starts with \"",
                            prefix, "\"",
                            sites.points().empty()
                                ? "; this binary registers no points"
                            : match.found() ? match.DidYouMean()
                                            : "; see faultline list-points"));
  }
  if (absl::Status s =
          CheckChance(swarm.has_arm_probability(), swarm.arm_probability(),
                      "arm_probability", "no point would ever be armed", where);
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          CheckChance(swarm.has_probability(), swarm.probability(),
                      "probability", "an armed point would never act", where);
      !s.ok()) {
    return s;
  }
  switch (swarm.action_case()) {
    case Swarm::kYield:
      return absl::OkStatus();
    case Swarm::kDelay: {
      const Delay& delay = swarm.delay();
      if (delay.ns() < 0) {
        return Bad(where("delay"),
                   absl::StrCat("ns: expected a value >= 0, got ", delay.ns()));
      }
      if (delay.max_ns() != 0 && delay.max_ns() < delay.ns()) {
        return Bad(where("delay"),
                   absl::StrCat("max_ns: expected a value >= ns (", delay.ns(),
                                "), got ", delay.max_ns()));
      }
      if (delay.ns() == 0 && delay.max_ns() == 0) {
        return Bad(where("delay"),
                   "a delay of 0 ns widens nothing; set ns (and max_ns for "
                   "a range)");
      }
      return absl::OkStatus();
    }
    case Swarm::ACTION_NOT_SET:
      break;
  }
  return Bad(where(""), "no action; set one of delay, yield");
}

}  // namespace faultline
