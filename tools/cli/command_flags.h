// -----------------------------------------------------------------------------
// File: command_flags.h
// -----------------------------------------------------------------------------
//
// Which flags each faultline subcommand reads. Abseil's flag registry is
// global, so `faultline run --iteration=5` would otherwise parse and then be
// silently ignored; the CLI contract is that a flag the command does not
// read is a usage error (exit 2) that names the commands it belongs to.

#ifndef FAULTLINE_TOOLS_CLI_COMMAND_FLAGS_H_
#define FAULTLINE_TOOLS_CLI_COMMAND_FLAGS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace faultline {

// OK if `command` reads every flag in `flags` (canonical names, as
// ParsedArgs::flags gives them), or if `command` is not a known command
// (the dispatcher reports that). Otherwise InvalidArgument naming the first
// flag the command does not read and the commands that do.
absl::Status CheckFlagsFor(absl::string_view command,
                           const std::vector<std::string>& flags);

}  // namespace faultline

#endif  // FAULTLINE_TOOLS_CLI_COMMAND_FLAGS_H_
