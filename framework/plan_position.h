// -----------------------------------------------------------------------------
// File: plan_position.h
// -----------------------------------------------------------------------------
//
// Where a field of a plan was written: the field path used in messages
// (`rules[1].delay.ns`) and, for a plan parsed from text, its line and column
// from the TextFormat::ParseInfoTree the parser recorded. Validation
// (plan_validator.h, rule_validator.h) reports errors through FieldError
// (map entries, which have no field path of their own, through
// PositionPrefix), so all plan errors read the same:
//
//   plans/x.textproto:7:12: rules[1].probability: expected a value in
//   [0, 1], got 1.5
//
// A plan built in code has no tree; its errors carry only the field path.
// Lines and columns in messages are 1-based.
//
// Internal to plan loading (plan_loader.h is the interface).
//
// Thread-safety: functions are pure.

#ifndef FAULTLINE_FRAMEWORK_PLAN_POSITION_H_
#define FAULTLINE_FRAMEWORK_PLAN_POSITION_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/text_format.h"

namespace faultline {
namespace plan_internal {

using ParseInfoTree = google::protobuf::TextFormat::ParseInfoTree;
using ParseLocation = google::protobuf::TextFormat::ParseLocation;

// Where one message of the plan sits: the field path used in messages, its
// parse tree (null for plans built in code) and the position it was named at.
struct PlanNode {
  const google::protobuf::Message* message;
  std::string path;
  const ParseInfoTree* tree;
  ParseLocation location;
};

// "file:line:col: " (1-based), "file: " without a position, or "".
std::string PositionPrefix(absl::string_view filename, ParseLocation location);

// `parent.field`, with `[index]` appended if `index` >= 0.
std::string JoinPath(absl::string_view parent, absl::string_view field,
                     int index);

// The descriptor of `name` in the node's message type. REQUIRES: the field
// exists (a misspelt name is a bug in the validator, not in the plan).
const google::protobuf::FieldDescriptor* FieldOf(const PlanNode& node,
                                                 absl::string_view name);

// The position of `field` (element `index` if repeated) as written, or the
// node's own position if the field was not written.
// A repeated field without an index (an empty list) has no position of its
// own.
ParseLocation LocationOf(const PlanNode& node, absl::string_view field,
                         int index);

// True if the plan text spells out `field`, even with its default value:
// `nth: 0` is a mistake, a missing nth is not.
bool Written(const PlanNode& node, absl::string_view field);

// The node of `child`, the value of `field` (element `index` if repeated)
// in `parent`.
PlanNode Child(const PlanNode& parent, const google::protobuf::Message& child,
               absl::string_view field, int index = -1);

// An InvalidArgument error at `field` of `node` (element `index` if
// repeated): "file:line:col: path: message". An empty `field` means the
// node itself.
absl::Status FieldError(absl::string_view filename, const PlanNode& node,
                        absl::string_view field, absl::string_view message,
                        int index = -1);

}  // namespace plan_internal
}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_PLAN_POSITION_H_
