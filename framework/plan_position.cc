// Field paths and text positions of plan fields (see plan_position.h).
#include "framework/plan_position.h"

#include "absl/strings/str_cat.h"
#include "framework/check.h"

namespace faultline {
namespace plan_internal {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

std::string PositionPrefix(absl::string_view filename, ParseLocation location) {
  if (filename.empty()) return "";
  if (location.line < 0) return absl::StrCat(filename, ": ");
  return absl::StrCat(filename, ":", location.line + 1, ":",
                      location.column + 1, ": ");
}

const FieldDescriptor* FieldOf(const PlanNode& node, absl::string_view name) {
  FL_CHECK(node.message != nullptr);
  const FieldDescriptor* field =
      node.message->GetDescriptor()->FindFieldByName(std::string(name));
  FL_CHECK(field != nullptr);  // a typo in the validator, not in the plan
  return field;
}

std::string JoinPath(absl::string_view parent, absl::string_view field,
                     int index) {
  std::string path =
      parent.empty() ? std::string(field) : absl::StrCat(parent, ".", field);
  if (index >= 0) absl::StrAppend(&path, "[", index, "]");
  return path;
}

ParseLocation LocationOf(const PlanNode& node, absl::string_view field,
                         int index) {
  if (node.tree == nullptr || field.empty()) return node.location;
  const FieldDescriptor* descriptor = FieldOf(node, field);
  if (descriptor->is_repeated() != (index >= 0)) return node.location;
  const ParseLocation location = node.tree->GetLocation(descriptor, index);
  return location.line >= 0 ? location : node.location;
}

bool Written(const PlanNode& node, absl::string_view field) {
  return node.tree != nullptr &&
         node.tree->GetLocation(FieldOf(node, field), -1).line >= 0;
}

PlanNode Child(const PlanNode& parent, const Message& child,
               absl::string_view field, int index) {
  const FieldDescriptor* descriptor = FieldOf(parent, field);
  FL_CHECK(descriptor->is_repeated() == (index >= 0));
  PlanNode node{&child, JoinPath(parent.path, field, index), nullptr,
                LocationOf(parent, field, index)};
  if (parent.tree != nullptr) {
    node.tree = parent.tree->GetTreeForNested(descriptor, index);
  }
  return node;
}

absl::Status FieldError(absl::string_view filename, const PlanNode& node,
                        absl::string_view field, absl::string_view message,
                        int index) {
  const std::string path =
      field.empty() ? node.path : JoinPath(node.path, field, index);
  return absl::InvalidArgumentError(
      absl::StrCat(PositionPrefix(filename, LocationOf(node, field, index)),
                   path, path.empty() ? "" : ": ", message));
}

}  // namespace plan_internal
}  // namespace faultline
