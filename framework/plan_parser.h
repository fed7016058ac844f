// -----------------------------------------------------------------------------
// File: plan_parser.h
// -----------------------------------------------------------------------------
//
// The syntax half of plan loading: protobuf TextFormat turns plan text into a
// Plan and records where each field was written (plan_position.h), so that
// validation (plan_validator.h) can point at the line and column of a bad
// value. Syntax errors and unknown fields come from protobuf's text parser
// with its line:col; the parser's first error is reported (later ones are
// usually consequences), with the closest field name when it names an
// unknown field:
//
//   plans/x.textproto:5:3: Message type "faultline.Rule" has no field named
//   "nht"; did you mean "nth"?
//
// Internal to plan loading (plan_loader.h is the interface).
//
// Thread-safety: functions may be called concurrently.

#ifndef FAULTLINE_FRAMEWORK_PLAN_PARSER_H_
#define FAULTLINE_FRAMEWORK_PLAN_PARSER_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "framework/plan.pb.h"
#include "framework/plan_position.h"

namespace faultline {
namespace plan_internal {

// Parses `text` into `plan` and the positions of its fields into `tree`
// (both must be fresh). `filename` only labels error messages. An error is
// InvalidArgument; `plan` and `tree` are then unspecified.
absl::Status ParsePlanSyntax(absl::string_view text, absl::string_view filename,
                             Plan* plan, ParseInfoTree* tree);

}  // namespace plan_internal
}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_PLAN_PARSER_H_
