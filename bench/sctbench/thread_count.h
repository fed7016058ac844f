// -----------------------------------------------------------------------------
// File: thread_count.h
// -----------------------------------------------------------------------------
//
// The thread-count parameters of the SCTBench ports (reorder's set/check
// threads, wronglock's A/B threads, twostage's two-stage/reader threads),
// read from a plan's scenario section and bounded, so a typo in a plan is a
// clear error instead of a world with a million tasks.

#ifndef FAULTLINE_BENCH_SCTBENCH_THREAD_COUNT_H_
#define FAULTLINE_BENCH_SCTBENCH_THREAD_COUNT_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "framework/scenario.h"

namespace sctbench {

inline constexpr int kMaxThreads = 1000;

// The parameter `name` as a count in [0, kMaxThreads].
inline absl::StatusOr<int> ThreadCount(const faultline::ScenarioArgs& args,
                                       const char* name) {
  absl::StatusOr<int64_t> n = args.GetInt(name);
  if (!n.ok()) return n.status();
  if (*n < 0 || *n > kMaxThreads) {
    return absl::InvalidArgumentError(absl::StrCat(
        "parameter ", name, " must be in [0, ", kMaxThreads, "], got ", *n));
  }
  return static_cast<int>(*n);
}

}  // namespace sctbench

#endif  // FAULTLINE_BENCH_SCTBENCH_THREAD_COUNT_H_
