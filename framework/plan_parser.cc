// Plan text to Plan with field positions (see plan_parser.h).
#include "framework/plan_parser.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "framework/check.h"
#include "framework/suggest.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace faultline {
namespace plan_internal {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::TextFormat;

// Keeps the parser's first error (later ones are usually consequences).
class FirstErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (has_error_) return;
    has_error_ = true;
    location_ = ParseLocation(line, column);
    message_ = message;
  }
  void AddWarning(int line, google::protobuf::io::ColumnNumber column,
                  const std::string& message) override {}

  bool has_error() const { return has_error_; }
  ParseLocation location() const { return location_; }
  const std::string& message() const { return message_; }

 private:
  bool has_error_ = false;
  ParseLocation location_;
  std::string message_;
};

// The parser says `Message type "faultline.Rule" has no field named "nht".`;
// add the closest field name of that message type.
std::string WithFieldSuggestion(absl::string_view message) {
  constexpr absl::string_view kType = "Message type \"";
  constexpr absl::string_view kField = "\" has no field named \"";
  absl::string_view rest = message;
  if (!absl::ConsumePrefix(&rest, kType)) return std::string(message);
  const size_t type_end = rest.find(kField);
  if (type_end == absl::string_view::npos) return std::string(message);
  const std::string type_name(rest.substr(0, type_end));
  rest.remove_prefix(type_end + kField.size());
  const absl::string_view field = rest.substr(0, rest.find('"'));
  const Descriptor* type =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
          type_name);
  if (type == nullptr) return std::string(message);
  ClosestMatch match(field);
  for (int i = 0; i < type->field_count(); ++i) {
    match.Consider(type->field(i)->name());
  }
  absl::string_view text = message;
  absl::ConsumeSuffix(&text, ".");
  return absl::StrCat(text, match.DidYouMean());
}

}  // namespace

absl::Status ParsePlanSyntax(absl::string_view text, absl::string_view filename,
                             Plan* plan, ParseInfoTree* tree) {
  FL_CHECK(plan != nullptr);
  FL_CHECK(tree != nullptr);
  FirstErrorCollector errors;
  TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  parser.WriteLocationsTo(tree);
  if (parser.ParseFromString(std::string(text), plan)) return absl::OkStatus();
  FL_CHECK(errors.has_error());
  return absl::InvalidArgumentError(
      absl::StrCat(PositionPrefix(filename, errors.location()),
                   WithFieldSuggestion(errors.message())));
}

}  // namespace plan_internal
}  // namespace faultline
