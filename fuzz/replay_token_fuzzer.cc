// Fuzz target: replay token text through the decoder. Any input is either a
// token or one error naming the field; a decoded token encodes back to the
// same text (the format has one spelling per token).
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "framework/runtime/trace/replay_token.h"
#include "fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<faultline::ReplayToken> token =
      faultline::DecodeReplayToken(text);
  if (!token.ok()) return 0;
  if (faultline::EncodeReplayToken(*token) != text) std::abort();
  return 0;
}
