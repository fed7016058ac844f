// -----------------------------------------------------------------------------
// File: flag_parse.h
// -----------------------------------------------------------------------------
//
// Command-line parsing for the faultline tool over Abseil's flag registry.
// absl::ParseCommandLine() exits with status 1 on a bad flag; faultline's
// contract is one clear message and exit status 2 for any usage error, so
// this parser looks flags up with absl::FindCommandLineFlag() and sets them
// with CommandLineFlag::ParseFrom(), returning errors instead of exiting.
//
// Accepted forms: --name=value, --name value (non-bool), --name / --noname
// (bool), and `--` to end flags. Everything else is a positional argument.

#ifndef FAULTLINE_TOOLS_CLI_FLAG_PARSE_H_
#define FAULTLINE_TOOLS_CLI_FLAG_PARSE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace faultline {

struct ParsedArgs {
  // The non-flag arguments, in order.
  std::vector<std::string> positional;
  // The canonical name of every flag given (`--nofoo` counts as "foo"), in
  // order: commands refuse flags they do not read.
  std::vector<std::string> flags;
};

// Sets the flags named in argv[1..] and returns the positional arguments and
// the flags given. InvalidArgument names the offending argument.
absl::StatusOr<ParsedArgs> ParseFlags(int argc, const char* const* argv);

}  // namespace faultline

#endif  // FAULTLINE_TOOLS_CLI_FLAG_PARSE_H_
