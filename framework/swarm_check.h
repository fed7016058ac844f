// -----------------------------------------------------------------------------
// File: swarm_check.h
// -----------------------------------------------------------------------------
//
// Validation of a plan's swarm section (swarm.h) against this binary's fault
// points: an action is set, probabilities are in range, and the prefix
// covers at least one point (else a did-you-mean over the points' dotted
// prefixes). The plan loader calls it with a function that turns a field
// name into the "file:line:col: swarm.<field>: " prefix of its messages.

#ifndef FAULTLINE_FRAMEWORK_SWARM_CHECK_H_
#define FAULTLINE_FRAMEWORK_SWARM_CHECK_H_

#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "framework/plan.pb.h"
#include "framework/site_registry.h"

namespace faultline {

// OK if the plan has no swarm section. `where(field)` gives the prefix of
// an error at `field` ("" = the section itself).
absl::Status CheckSwarm(
    const Plan& plan, const SiteRegistry& sites,
    absl::FunctionRef<std::string(absl::string_view field)> where);

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_SWARM_CHECK_H_
