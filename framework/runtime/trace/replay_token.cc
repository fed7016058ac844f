// Replay token encoding: version, varint fields (steps delta-coded), a
// checksum, base64url (see replay_token.h).
#include "framework/runtime/trace/replay_token.h"

#include <cstdint>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "framework/check.h"
#include "framework/rng.h"

namespace faultline {
namespace {

constexpr absl::string_view kPrefix = "fl1-";
// Version 2: fire draws are KeyedBits of a per-(task, rule) key (rng.h), so
// a version 1 token's suppressed fire ordinals name other fires.
constexpr uint8_t kVersion = 2;
constexpr char kAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

uint32_t Checksum(absl::string_view bytes) {
  uint64_t h = 0x6c62272e07bb0142ULL;
  for (unsigned char c : bytes) h = Mix64(h ^ c);
  return static_cast<uint32_t>(h);
}

std::string Base64UrlEncode(absl::string_view in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 0x3f]);
  return out;
}

absl::StatusOr<std::string> Base64UrlDecode(absl::string_view in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    const char* pos = std::strchr(kAlphabet, in[i]);
    if (in[i] == '\0' || pos == nullptr) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "replay token: invalid base64url character '%c' at position %d",
          in[i], i + kPrefix.size()));
    }
    acc = (acc << 6) | static_cast<uint32_t>(pos - kAlphabet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

// Reads varints from a byte string, remembering the first error.
class Reader {
 public:
  explicit Reader(absl::string_view data) : data_(data) {}
  bool Varint(uint64_t& v, const char* what) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) {
        error_ = absl::StrCat("truncated token: data ends while reading ", what,
                              " at byte ", pos_);
        return false;
      }
      const uint8_t byte = static_cast<uint8_t>(data_[pos_++]);
      v |= uint64_t{byte & 0x7fu} << shift;
      if ((byte & 0x80) == 0) return true;
    }
    error_ = absl::StrCat("malformed varint in ", what);
    return false;
  }
  bool AtEnd() const { return pos_ == data_.size(); }
  const std::string& error() const { return error_; }

 private:
  absl::string_view data_;
  size_t pos_ = 0;
  std::string error_;
};

absl::Status ParseFields(absl::string_view payload, ReplayToken& token) {
  Reader r(payload);
  uint64_t version, strategy, count, value, task;
  auto fail = [&r] {
    return absl::InvalidArgumentError(
        absl::StrCat("replay token: ", r.error()));
  };
  if (!r.Varint(version, "version")) return fail();
  if (version != kVersion) {
    return absl::InvalidArgumentError(absl::StrCat(
        "replay token: version ", version,
        " is not supported: this faultline "
        "reads version ",
        kVersion,
        version < kVersion ? " (fault draws changed since; re-run the search "
                             "that made the token to get a new one)"
                           : " (the token comes from a newer faultline)"));
  }
  if (!r.Varint(token.plan_hash, "plan hash") ||
      !r.Varint(token.seed, "seed") || !r.Varint(strategy, "strategy") ||
      !r.Varint(count, "switch count")) {
    return fail();
  }
  if (strategy > static_cast<uint64_t>(kLastStrategyKind)) {
    return absl::InvalidArgumentError(
        absl::StrCat("replay token: unknown strategy ", strategy));
  }
  token.strategy = static_cast<uint8_t>(strategy);
  uint64_t step = 0;
  for (uint64_t i = 0; i < count; ++i) {
    if (!r.Varint(value, "switch step") || !r.Varint(task, "switch task")) {
      return fail();
    }
    // Steps are strictly ascending (only the first may be step 0), and steps
    // and tasks are 32-bit: anything else was not written by Encode().
    if ((value == 0 && i != 0) || value > UINT32_MAX - step ||
        task > UINT32_MAX) {
      return absl::InvalidArgumentError(absl::StrCat(
          "replay token: switch ", i, " is out of range (step delta ", value,
          ", task ", task, ")"));
    }
    step += value;
    token.switches.emplace_back(static_cast<uint32_t>(step),
                                static_cast<uint32_t>(task));
  }
  if (!r.Varint(count, "suppressed fire count")) return fail();
  for (uint64_t i = 0; i < count; ++i) {
    if (!r.Varint(value, "suppressed fire")) return fail();
    if (i != 0 && value <= token.suppressed_fires.back()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "replay token: suppressed fires not ascending at index ", i, " (",
          token.suppressed_fires.back(), " then ", value, ")"));
    }
    token.suppressed_fires.push_back(value);
  }
  if (!r.AtEnd()) {
    if (!r.Varint(count, "branch fire count")) return fail();
    for (uint64_t i = 0; i < count; ++i) {
      if (!r.Varint(value, "branch fire")) return fail();
      if (i != 0 && value <= token.branch_fires.back()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "replay token: branch fires not ascending at index ", i));
      }
      token.branch_fires.push_back(value);
    }
  }
  if (!r.AtEnd()) {
    return absl::InvalidArgumentError("replay token: trailing bytes");
  }
  return absl::OkStatus();
}

}  // namespace

std::string ReplayToken::Encode() const {
  std::string bytes;
  PutVarint(bytes, kVersion);
  PutVarint(bytes, plan_hash);
  PutVarint(bytes, seed);
  PutVarint(bytes, strategy);
  PutVarint(bytes, switches.size());
  uint32_t last_step = 0;
  for (size_t i = 0; i < switches.size(); ++i) {
    const auto [step, task] = switches[i];
    FL_CHECK(i == 0 || step > last_step);
    PutVarint(bytes, step - last_step);  // ascending: small deltas
    PutVarint(bytes, task);
    last_step = step;
  }
  PutVarint(bytes, suppressed_fires.size());
  for (uint64_t fire : suppressed_fires) PutVarint(bytes, fire);
  if (!branch_fires.empty()) {
    PutVarint(bytes, branch_fires.size());
    for (uint64_t fire : branch_fires) PutVarint(bytes, fire);
  }
  const uint32_t sum = Checksum(bytes);
  for (int i = 0; i < 4; ++i)
    bytes.push_back(static_cast<char>(sum >> (8 * i)));
  return absl::StrCat(kPrefix, Base64UrlEncode(bytes));
}

absl::StatusOr<ReplayToken> ReplayToken::Decode(absl::string_view text) {
  if (text.substr(0, kPrefix.size()) != kPrefix) {
    return absl::InvalidArgumentError(
        absl::StrCat("replay token: bad prefix: expected \"", kPrefix,
                     "\", got \"", text.substr(0, kPrefix.size()), "\""));
  }
  absl::StatusOr<std::string> bytes =
      Base64UrlDecode(text.substr(kPrefix.size()));
  if (!bytes.ok()) return bytes.status();
  if (bytes->size() < 5) {
    return absl::InvalidArgumentError(absl::StrCat(
        "replay token: truncated: ", bytes->size(), " bytes, need at least 5"));
  }
  const absl::string_view payload(bytes->data(), bytes->size() - 4);
  uint32_t stored = 0;
  for (int i = 0; i < 4; ++i) {
    stored |= uint32_t{static_cast<uint8_t>((*bytes)[payload.size() + i])}
              << (8 * i);
  }
  if (stored != Checksum(payload)) {
    return absl::InvalidArgumentError(
        "replay token: checksum mismatch (the token was altered or cut)");
  }
  ReplayToken token;
  absl::Status status = ParseFields(payload, token);
  if (!status.ok()) return status;
  // One spelling per token: spare low bits in the last character, or a
  // varint with redundant continuation bytes, would otherwise pass the
  // checksum and make two texts name one schedule.
  if (token.Encode() != text) {
    return absl::InvalidArgumentError(
        "replay token: not in canonical form (the token was altered)");
  }
  return token;
}

ReplayToken MakeReplayToken(const Trace& trace, uint64_t plan_hash,
                            uint64_t seed, StrategyKind strategy) {
  ReplayToken token;
  token.plan_hash = plan_hash;
  token.seed = seed;
  token.strategy = static_cast<uint8_t>(strategy);
  token.switches = trace.Switches();
  return token;
}

std::string EncodeReplayToken(const ReplayToken& token) {
  return token.Encode();
}

absl::StatusOr<ReplayToken> DecodeReplayToken(absl::string_view text) {
  return ReplayToken::Decode(text);
}

}  // namespace faultline
