// ExplorerOptions from Bazel's test environment (see explorer_options.h).
#include "framework/explore/explorer_options.h"

#include <cstdlib>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "framework/check.h"
#include "framework/rng.h"

namespace faultline {
namespace {

// Parses an optional unsigned variable; absent or empty leaves `out` alone.
absl::Status ReadUint(const char* name, uint64_t max, uint64_t* out,
                      bool* present) {
  FL_CHECK(out != nullptr);
  FL_CHECK(present != nullptr);
  const char* raw = std::getenv(name);
  *present = raw != nullptr && raw[0] != '\0';
  if (!*present) return absl::OkStatus();
  uint64_t value = 0;
  if (!absl::SimpleAtoi(raw, &value) || value > max) {
    return absl::InvalidArgumentError(absl::StrCat(
        "environment variable ", name, ": expected an integer in [0, ", max,
        "], got \"", raw, "\""));
  }
  *out = value;
  return absl::OkStatus();
}

}  // namespace

absl::Status ParseShardSpec(absl::string_view spec, ExplorerOptions* options) {
  FL_CHECK(options != nullptr);
  const size_t slash = spec.find('/');
  uint32_t index = 0;
  uint32_t total = 0;
  if (slash == absl::string_view::npos ||
      !absl::SimpleAtoi(spec.substr(0, slash), &index) ||
      !absl::SimpleAtoi(spec.substr(slash + 1), &total) ||
      spec.substr(0, slash).find_first_not_of("0123456789") !=
          absl::string_view::npos ||
      spec.substr(slash + 1).find_first_not_of("0123456789") !=
          absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--shard: expected K/N (shard K of N, K from 0), got \"", spec, "\""));
  }
  if (total == 0 || index >= total) {
    return absl::InvalidArgumentError(
        absl::StrCat("--shard=", spec, ": K must be below N and N at least 1 ",
                     "(shards are numbered from 0, as TEST_SHARD_INDEX)"));
  }
  options->shard_index = index;
  options->total_shards = total;
  return absl::OkStatus();
}

uint64_t IterationSeed(uint64_t seed, uint64_t index) {
  return DrawBits({seed, index});
}

absl::StatusOr<ExplorerOptions> ExplorerOptions::FromEnvironment() {
  ExplorerOptions options;
  uint64_t value = 0;
  bool present = false;

  absl::Status s = ReadUint("TEST_TOTAL_SHARDS", 1 << 20, &value, &present);
  if (!s.ok()) return s;
  if (present && value > 0) options.total_shards = static_cast<uint32_t>(value);
  s = ReadUint("TEST_SHARD_INDEX", 1 << 20, &value, &present);
  if (!s.ok()) return s;
  if (present) options.shard_index = static_cast<uint32_t>(value);
  if (options.shard_index >= options.total_shards) {
    return absl::InvalidArgumentError(
        absl::StrCat("TEST_SHARD_INDEX ", options.shard_index,
                     " is not below TEST_TOTAL_SHARDS ", options.total_shards));
  }
  s = ReadUint("TEST_RUN_NUMBER", 1 << 30, &value, &present);
  if (!s.ok()) return s;
  if (present && value > 0) options.seed_offset = value - 1;

  s = ReadUint("FAULTLINE_SEED", UINT64_MAX, &value, &present);
  if (!s.ok()) return s;
  if (present) options.seed = value;
  s = ReadUint("FAULTLINE_ITERATIONS", uint64_t{1} << 40, &value, &present);
  if (!s.ok()) return s;
  if (present) options.iterations = value;

  if (const char* dir = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR")) {
    options.artifacts_dir = dir;
  }
  if (const char* status = std::getenv("TEST_SHARD_STATUS_FILE")) {
    options.shard_status_file = status;
  }
  FL_CHECK(options.total_shards > 0);
  FL_CHECK(options.shard_index < options.total_shards);
  return options;
}

}  // namespace faultline
