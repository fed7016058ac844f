// Strict flag parsing over Abseil's registry (see flag_parse.h).
#include "tools/cli/flag_parse.h"

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace faultline {
namespace {

absl::Status SetFlag(absl::CommandLineFlag* flag, absl::string_view name,
                     absl::string_view value) {
  std::string error;
  if (!flag->ParseFrom(value, &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("flag --", name, ": bad value \"", value, "\": ", error));
  }
  return absl::OkStatus();
}

// Looks up --noNAME as the negation of a bool flag NAME.
absl::CommandLineFlag* FindNegatedBool(absl::string_view name) {
  if (!absl::StartsWith(name, "no")) return nullptr;
  absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name.substr(2));
  return flag != nullptr && flag->IsOfType<bool>() ? flag : nullptr;
}

}  // namespace

absl::StatusOr<ParsedArgs> ParseFlags(int argc, const char* const* argv) {
  ParsedArgs parsed;
  std::vector<std::string>& positional = parsed.positional;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--") {
      for (++i; i < argc; ++i) positional.emplace_back(argv[i]);
      break;
    }
    if (!absl::StartsWith(arg, "-") || arg == "-") {
      positional.emplace_back(arg);
      continue;
    }
    arg.remove_prefix(absl::StartsWith(arg, "--") ? 2 : 1);
    const size_t eq = arg.find('=');
    const bool has_value = eq != absl::string_view::npos;
    absl::string_view name = has_value ? arg.substr(0, eq) : arg;
    absl::string_view value = has_value ? arg.substr(eq + 1) : "";
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr && !has_value) {
      if (absl::CommandLineFlag* negated = FindNegatedBool(name)) {
        absl::Status s = SetFlag(negated, name.substr(2), "false");
        if (!s.ok()) return s;
        parsed.flags.emplace_back(name.substr(2));
        continue;
      }
    }
    if (flag == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag \"", argv[i], "\""));
    }
    if (!has_value) {
      if (flag->IsOfType<bool>()) {
        value = "true";
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat("flag --", name, " needs a value"));
      }
    }
    absl::Status s = SetFlag(flag, name, value);
    if (!s.ok()) return s;
    parsed.flags.emplace_back(name);
  }
  return parsed;
}

}  // namespace faultline
