// -----------------------------------------------------------------------------
// File: plan_loader.h
// -----------------------------------------------------------------------------
//
// Loading and validating test plans (framework/plan.proto, written as
// textproto under plans/). A plan that loads without error names only things
// this binary has: its scenario, parameters and variant are registered
// (scenario.h), every rule's point has a site of the right kind
// (site_registry.h), every trigger names a registered hook (hooks.h), and
// every number is in range. Nothing is checked later at run time, so a typo
// in a plan is a load error, never a rule that silently never fires.
//
// Every error is a single absl::Status whose message points at the offending
// field like a compiler diagnostic, with a did-you-mean where a name is close
// to a known one (suggest.h):
//
//   plans/x.textproto:7:12: rules[1].probability: expected a value in
//   [0, 1], got 1.5
//   plans/x.textproto:3:9: scenario.name: unknown scenario
//   "btrfs_eb.seed_rase"; did you mean "btrfs_eb.seed_race"?
//
// Syntax errors and unknown fields come from protobuf's text parser with its
// line:col. Lines and columns are 1-based. Semantic errors point at the field
// (or, for a missing field, at the message that lacks it). The code is
// InvalidArgument, except NotFound when the file does not exist.
//
// The registries validated against are whatever the calling binary links in:
// the loader itself depends on no scenario package.
//
// Example:
//   absl::StatusOr<faultline::Plan> plan =
//       faultline::LoadPlanFile("plans/seed_race.textproto");
//   if (!plan.ok()) return plan.status();  // already says file:line:col
//   auto rules = faultline::RuleSet::Compile(*plan);
//
// Thread-safety: all functions may be called concurrently (registries are
// immutable after static initialization).

#ifndef FAULTLINE_FRAMEWORK_PLAN_LOADER_H_
#define FAULTLINE_FRAMEWORK_PLAN_LOADER_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "framework/hooks.h"
#include "framework/plan.pb.h"
#include "framework/scenario.h"

namespace faultline {

// The only plan schema version this loader accepts (Plan.version).
inline constexpr uint32_t kPlanVersion = 1;

// Largest accepted Exploration.pct_depth. PCT finds a bug of depth d with
// probability >= 1/(n * k^(d-1)); beyond ~16 that bound is useless.
inline constexpr uint32_t kMaxPctDepth = 16;

// Largest accepted Exploration.preemption_bound. The schedule count grows
// like steps^bound; far below this the search never finishes, and above
// 2^31 the explorer would read the bound as "unbounded".
inline constexpr uint32_t kMaxPreemptionBound = 1000;

// Largest accepted Exploration.iterations (2^40): split over shards, every
// shard still gets a count that fits its 64-bit arithmetic.
inline constexpr uint64_t kMaxIterations = uint64_t{1} << 40;

// Largest accepted Exploration.max_steps (2^32 steps per iteration).
inline constexpr uint64_t kMaxSteps = uint64_t{1} << 32;

// Exploration.iteration_timeout_ms: the default (for 0) and the largest
// accepted value (an hour).
inline constexpr int64_t kDefaultIterationTimeoutMs = 10000;
inline constexpr int64_t kMaxIterationTimeoutMs = int64_t{3600} * 1000;

// The iteration timeout `exploration` asks for, its default filled in.
inline int64_t IterationTimeoutMs(const Exploration& exploration) {
  return exploration.iteration_timeout_ms() == 0
             ? kDefaultIterationTimeoutMs
             : exploration.iteration_timeout_ms();
}

// Largest accepted delay (ns, max_ns) and wait_for timeout_ns: one hour of
// virtual time, so sums of them cannot overflow the 64-bit clock.
inline constexpr int64_t kMaxDurationNs = int64_t{3600} * 1000 * 1000 * 1000;

// Largest plan file read (1 MiB); larger files are refused unread.
inline constexpr int64_t kMaxPlanFileBytes = int64_t{1} << 20;

// Reads, parses and validates the plan at `path` against this binary's
// registries. Errors carry `path` as the file name.
absl::StatusOr<Plan> LoadPlanFile(const std::string& path);

// Parses and validates `text`; `filename` only labels error messages.
absl::StatusOr<Plan> ParsePlanText(absl::string_view text,
                                   absl::string_view filename);

// Validates a plan built in code (or parsed elsewhere) against this binary's
// registries. Errors name the field path (`rules[1].probability: ...`) but
// carry no file position.
absl::Status ValidatePlan(const Plan& plan);

// The same against explicit registries (tests). SiteRegistry is the engine's
// (site_registry.h); SiteRegistry::Get() is this binary's.
class SiteRegistry;
absl::Status ValidatePlan(const Plan& plan, const SiteRegistry& sites,
                          const ScenarioRegistry& scenarios,
                          const HookRegistry& hooks);

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_PLAN_LOADER_H_
