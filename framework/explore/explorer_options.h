// -----------------------------------------------------------------------------
// File: explorer_options.h
// -----------------------------------------------------------------------------
//
// How an exploration runs beyond what the plan says: which shard of the
// iteration space this process owns, where artifacts go, how progress is
// shown, and explicit overrides. Every field is set at the call site, from
// command-line flags, or from the environment by FromEnvironment(), which
// reads only Bazel's test protocol and a short documented FAULTLINE_* list:
//
//   TEST_TOTAL_SHARDS / TEST_SHARD_INDEX   iteration i runs on shard i % total
//                                          (systematic search: shard_split.h)
//   TEST_SHARD_STATUS_FILE                 touched to tell Bazel we shard
//   TEST_RUN_NUMBER                        (--runs_per_test) offsets seeds
//   TEST_UNDECLARED_OUTPUTS_DIR            report.json, traces, tokens
//   FAULTLINE_SEED, FAULTLINE_ITERATIONS   override the plan's values
//
// A malformed value is an InvalidArgument naming the variable, never a
// silent default.

#ifndef FAULTLINE_FRAMEWORK_EXPLORE_EXPLORER_OPTIONS_H_
#define FAULTLINE_FRAMEWORK_EXPLORE_EXPLORER_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace faultline {

struct ExplorerOptions {
  enum class Progress { kNone, kBar, kLines };

  uint32_t shard_index = 0;
  uint32_t total_shards = 1;
  // Added to the plan's seed (TEST_RUN_NUMBER - 1), so --runs_per_test
  // explores different schedules.
  uint64_t seed_offset = 0;
  std::string artifacts_dir;      // "" = write nothing
  std::string shard_status_file;  // "" = none
  Progress progress = Progress::kNone;
  // Shrink each distinct failing run before reporting it.
  bool minimize = true;
  // Render each reported violation's trace as a CPU-column table.
  bool render = true;
  // Distinct schedules are counted by keeping every trace hash up to this
  // many (about 75 MB at the default); past it the report says "at least".
  // A systematic search's runs are distinct by construction, so a long one
  // would otherwise keep hundreds of millions of hashes for one number.
  uint64_t distinct_limit = 7000000;
  // Count distinct outcomes (Report.distinct_outcomes: what every task
  // saw, IterationResult::outcome). Fibers only; costs a little per step.
  bool count_outcomes = false;

  std::optional<uint64_t> seed;        // replaces the plan's seed
  std::optional<uint64_t> iterations;  // replaces the plan's iterations
  std::optional<bool> collect_all;

  // Reads the variables listed above from the process environment.
  static absl::StatusOr<ExplorerOptions> FromEnvironment();
};

// Parses "K/N" (`faultline run --shard`): shard K of N, K counted from 0
// as TEST_SHARD_INDEX is. InvalidArgument naming what is wrong otherwise.
absl::Status ParseShardSpec(absl::string_view spec, ExplorerOptions* options);

// The seed of iteration `index` of a plan with base seed `seed`: the same in
// every shard layout, since it depends only on (seed, index).
uint64_t IterationSeed(uint64_t seed, uint64_t index);

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_EXPLORE_EXPLORER_OPTIONS_H_
