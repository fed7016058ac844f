// -----------------------------------------------------------------------------
// File: trace/replay_token.h
// -----------------------------------------------------------------------------
//
// A ReplayToken is a failing schedule in a form a person can paste into a
// command line or a bug report: which plan (its hash) and seed, which
// strategy found it, and the scheduling switches that differ from the
// default choice. Fault decisions need no storage: they are keyed by the
// seed. Together with the same binary and plan, a token reproduces the run
// exactly on the fiber backend (NewReplayStrategy(token.switches, kStrict)).
//
// Encoding, version 3: "fl3-" + WebSafeBase64 (no padding) of the fields as
// a ReplayTokenFields message (replay_token.proto, serialized
// deterministically) and a 32-bit checksum. Typical failing runs (a few
// dozen switches) stay well under 256 characters. Tokens of versions 1 and
// 2 ("fl1-") are refused with a message naming both versions.
//
// Example:
//   ReplayToken token = MakeReplayToken(result.trace, plan_hash, seed,
//                                       strategy->kind());
//   std::string text = token.Encode();            // "fl3-..."
//   absl::StatusOr<ReplayToken> back = ReplayToken::Decode(text);
//
// Thread-safety: plain value.

#ifndef FAULTLINE_FRAMEWORK_RUNTIME_TRACE_REPLAY_TOKEN_H_
#define FAULTLINE_FRAMEWORK_RUNTIME_TRACE_REPLAY_TOKEN_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "framework/runtime/strategies/strategy.h"
#include "framework/runtime/trace/trace.h"

namespace faultline {

struct ReplayToken {
  uint64_t plan_hash = 0;
  uint64_t seed = 0;
  uint8_t strategy = 0;  // a StrategyKind
  // (step, task) of every non-default decision, steps ascending.
  std::vector<std::pair<uint32_t, uint32_t>> switches;
  // Optional: indices of rule firings the minimizer disabled (carried for
  // the explorer; the runtime does not interpret them). Strictly ascending.
  std::vector<uint64_t> suppressed_fires;
  // Optional: the fault choices of a systematic search (where branching
  // rules fire, IterationConfig::branch_fires). Strictly ascending; encoded
  // only when not empty, so tokens without them are unchanged.
  std::vector<uint64_t> branch_fires;

  std::string Encode() const;
  // InvalidArgument naming what is wrong: another version (both named), bad
  // prefix, bad base64url character, truncated, checksum mismatch, fields
  // that do not parse, unknown field or strategy, fields out of range or
  // out of order, a spelling Encode() would not write.
  static absl::StatusOr<ReplayToken> Decode(absl::string_view text);

  friend bool operator==(const ReplayToken& a, const ReplayToken& b) {
    return a.plan_hash == b.plan_hash && a.seed == b.seed &&
           a.strategy == b.strategy && a.switches == b.switches &&
           a.suppressed_fires == b.suppressed_fires &&
           a.branch_fires == b.branch_fires;
  }
};

ReplayToken MakeReplayToken(const Trace& trace, uint64_t plan_hash,
                            uint64_t seed, StrategyKind strategy);

// Free-function spellings of Encode() / Decode().
std::string EncodeReplayToken(const ReplayToken& token);
absl::StatusOr<ReplayToken> DecodeReplayToken(absl::string_view text);

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RUNTIME_TRACE_REPLAY_TOKEN_H_
