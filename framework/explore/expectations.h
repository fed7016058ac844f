// -----------------------------------------------------------------------------
// File: expectations.h
// -----------------------------------------------------------------------------
//
// Turns a plan's `expect` entries and a finished Report into a verdict: each
// expectation is met or not, with a one-line reason, and the report's
// `expectations_met` decides the exit code (0 met, 1 not met).
//
// Under sharding every shard judges its own iterations: a plan that expects
// a violation must find it in each shard, so give each shard enough
// iterations.

#ifndef FAULTLINE_FRAMEWORK_EXPLORE_EXPECTATIONS_H_
#define FAULTLINE_FRAMEWORK_EXPLORE_EXPECTATIONS_H_

#include "framework/explore/report.pb.h"
#include "framework/plan.pb.h"

namespace faultline {

// Fills report->expectations and report->expectations_met.
void EvaluateExpectations(const Plan& plan, Report* report);

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_EXPLORE_EXPECTATIONS_H_
