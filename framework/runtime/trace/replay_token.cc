// Replay token encoding, version 3: the fields as a ReplayTokenFields
// message serialized deterministically, a checksum, WebSafeBase64 (see
// replay_token.h). Versions 1 and 2 are recognised only to be refused.
#include "framework/runtime/trace/replay_token.h"

#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "framework/check.h"
#include "framework/rng.h"
#include "framework/runtime/trace/replay_token.pb.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/unknown_field_set.h"

namespace faultline {
namespace {

constexpr int kVersion = 3;
constexpr absl::string_view kPrefix = "fl3-";
// Versions 1 and 2 shared this prefix and carried the version as the first
// varint of the payload: version 1 before fire draws became KeyedBits of a
// per-(task, rule) key, version 2 with hand-written varints.
constexpr absl::string_view kOldPrefix = "fl1-";
constexpr size_t kChecksumBytes = 4;

absl::Status Invalid(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("replay token: ", what));
}

uint32_t Checksum(absl::string_view bytes) {
  uint64_t h = 0x6c62272e07bb0142ULL;
  for (unsigned char c : bytes) h = Mix64(h ^ c);
  return static_cast<uint32_t>(h);
}

absl::Status Unsupported(absl::string_view version, bool newer) {
  return Invalid(absl::StrCat(
      "version ", version, " is not supported: this faultline reads version ",
      kVersion, " (\"", kPrefix, "\")",
      newer ? "; the token comes from a newer faultline"
            : "; the token format changed since, so re-run the search that "
              "made the token to get a new one"));
}

// The version a token of an older format names: the first payload byte
// (versions 1 and 2 were one-byte varints). "1 or 2" when it is unreadable.
std::string OldVersion(absl::string_view body) {
  std::string bytes;
  if (absl::WebSafeBase64Unescape(body, &bytes) && !bytes.empty() &&
      (bytes[0] == 1 || bytes[0] == 2)) {
    return absl::StrCat(static_cast<int>(bytes[0]));
  }
  return "1 or 2";
}

// Refuses a "flN-" token of another version; OK for anything else.
absl::Status RefuseOtherVersion(absl::string_view text) {
  if (text.substr(0, kOldPrefix.size()) == kOldPrefix) {
    return Unsupported(OldVersion(text.substr(kOldPrefix.size())), false);
  }
  const size_t dash = text.find('-');
  int version = 0;
  if (text.substr(0, 2) == "fl" && dash != absl::string_view::npos &&
      dash > 2 && absl::SimpleAtoi(text.substr(2, dash - 2), &version) &&
      absl::ascii_isdigit(text[2]) && version != kVersion) {
    return Unsupported(absl::StrCat(version), version > kVersion);
  }
  return absl::OkStatus();
}

absl::Status CheckAlphabet(absl::string_view body) {
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (!absl::ascii_isalnum(c) && c != '-' && c != '_') {
      return Invalid(absl::StrFormat(
          "invalid base64url character '%s' at position %d",
          absl::CHexEscape(absl::string_view(&c, 1)), i + kPrefix.size()));
    }
  }
  return absl::OkStatus();
}

// Every repeated field strictly ascending: anything else was not written by
// Encode().
absl::Status CheckAscending(
    const google::protobuf::RepeatedField<uint64_t>& fires,
    absl::string_view what) {
  for (int i = 1; i < fires.size(); ++i) {
    if (fires[i] <= fires[i - 1]) {
      return Invalid(absl::StrCat(what, " not ascending at index ", i, " (",
                                  fires[i - 1], " then ", fires[i], ")"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ReplayToken> FromFields(const ReplayTokenFields& fields) {
  const google::protobuf::UnknownFieldSet& unknown =
      fields.GetReflection()->GetUnknownFields(fields);
  if (!unknown.empty()) {
    return Invalid(absl::StrCat("unknown field ", unknown.field(0).number(),
                                " (not written by this faultline)"));
  }
  if (fields.strategy() > static_cast<uint32_t>(kLastStrategyKind)) {
    return Invalid(absl::StrCat("unknown strategy ", fields.strategy()));
  }
  if (fields.switch_step_deltas_size() != fields.switch_tasks_size()) {
    return Invalid(absl::StrCat(fields.switch_step_deltas_size(),
                                " switch steps but ",
                                fields.switch_tasks_size(), " switch tasks"));
  }
  ReplayToken token;
  token.plan_hash = fields.plan_hash();
  token.seed = fields.seed();
  token.strategy = static_cast<uint8_t>(fields.strategy());
  uint32_t step = 0;
  for (int i = 0; i < fields.switch_step_deltas_size(); ++i) {
    const uint32_t delta = fields.switch_step_deltas(i);
    // Steps are strictly ascending (only the first may be step 0) and fit
    // in 32 bits.
    if ((delta == 0 && i != 0) || delta > UINT32_MAX - step) {
      return Invalid(absl::StrCat("switch ", i, " is out of range (step delta ",
                                  delta, " after step ", step, ")"));
    }
    step += delta;
    token.switches.emplace_back(step, fields.switch_tasks(i));
  }
  absl::Status status =
      CheckAscending(fields.suppressed_fires(), "suppressed fires");
  if (!status.ok()) return status;
  status = CheckAscending(fields.branch_fires(), "branch fires");
  if (!status.ok()) return status;
  token.suppressed_fires.assign(fields.suppressed_fires().begin(),
                                fields.suppressed_fires().end());
  token.branch_fires.assign(fields.branch_fires().begin(),
                            fields.branch_fires().end());
  return token;
}

}  // namespace

std::string ReplayToken::Encode() const {
  ReplayTokenFields fields;
  fields.set_plan_hash(plan_hash);
  fields.set_seed(seed);
  fields.set_strategy(strategy);
  uint32_t last_step = 0;
  for (size_t i = 0; i < switches.size(); ++i) {
    const auto [step, task] = switches[i];
    FL_CHECK(i == 0 || step > last_step);
    fields.add_switch_step_deltas(step - last_step);
    fields.add_switch_tasks(task);
    last_step = step;
  }
  for (uint64_t fire : suppressed_fires) fields.add_suppressed_fires(fire);
  for (uint64_t fire : branch_fires) fields.add_branch_fires(fire);
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream out(&stream);
    out.SetSerializationDeterministic(true);
    FL_CHECK(fields.SerializeToCodedStream(&out));
  }
  const uint32_t sum = Checksum(bytes);
  for (size_t i = 0; i < kChecksumBytes; ++i) {
    bytes.push_back(static_cast<char>(sum >> (8 * i)));
  }
  return absl::StrCat(kPrefix, absl::WebSafeBase64Escape(bytes));
}

absl::StatusOr<ReplayToken> ReplayToken::Decode(absl::string_view text) {
  absl::Status status = RefuseOtherVersion(text);
  if (!status.ok()) return status;
  if (text.substr(0, kPrefix.size()) != kPrefix) {
    return Invalid(
        absl::StrCat("bad prefix: expected \"", kPrefix, "\", got \"",
                     absl::CHexEscape(text.substr(0, kPrefix.size())), "\""));
  }
  const absl::string_view body = text.substr(kPrefix.size());
  status = CheckAlphabet(body);
  if (!status.ok()) return status;
  std::string bytes;
  if (!absl::WebSafeBase64Unescape(body, &bytes)) {
    return Invalid(absl::StrCat("truncated: ", body.size(),
                                " base64url characters cannot end a token"));
  }
  if (bytes.size() < kChecksumBytes) {
    return Invalid(absl::StrCat("truncated: ", bytes.size(),
                                " bytes, need at least ", kChecksumBytes));
  }
  const absl::string_view payload(bytes.data(), bytes.size() - kChecksumBytes);
  uint32_t stored = 0;
  for (size_t i = 0; i < kChecksumBytes; ++i) {
    stored |= uint32_t{static_cast<uint8_t>(bytes[payload.size() + i])}
              << (8 * i);
  }
  if (stored != Checksum(payload)) {
    return Invalid("checksum mismatch (the token was altered or cut)");
  }
  ReplayTokenFields fields;
  if (!fields.ParseFromArray(payload.data(),
                             static_cast<int>(payload.size()))) {
    return Invalid(
        "the fields do not parse (the token was not written by "
        "faultline)");
  }
  absl::StatusOr<ReplayToken> token = FromFields(fields);
  if (!token.ok()) return token.status();
  // One spelling per token: spare low bits in the last character, a varint
  // with redundant continuation bytes, fields out of order or repeated, or
  // an unpacked repeated field would otherwise pass the checksum and make
  // two texts name one schedule.
  if (token->Encode() != text) {
    return Invalid("not in canonical form (the token was altered)");
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
