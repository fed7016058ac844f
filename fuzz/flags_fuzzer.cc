// Fuzz target: command lines through the CLI's strict flag parser. The input
// is split at NUL bytes into argv; parsing must return arguments or one
// error, never exit or crash. A flag of every type the CLI uses is defined
// so values of each kind get parsed.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "fuzz/fuzz_target.h"
#include "tools/cli/flag_parse.h"

ABSL_FLAG(uint64_t, fuzz_u64, 0, "a uint64 flag");
ABSL_FLAG(int64_t, fuzz_i64, 0, "an int64 flag");
ABSL_FLAG(bool, fuzz_bool, false, "a bool flag");
ABSL_FLAG(std::string, fuzz_string, "", "a string flag");

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> args = {"faultline"};
  std::string current;
  for (size_t i = 0; i < size && args.size() < 64; ++i) {
    if (data[i] == 0) {
      args.push_back(current);
      current.clear();
    } else {
      current.push_back(static_cast<char>(data[i]));
    }
  }
  args.push_back(current);
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  faultline::ParseFlags(static_cast<int>(argv.size()), argv.data())
      .IgnoreError();
  return 0;
}
