// Goal: replay tokens (format version 3) round-trip, stay short, tokens of
// versions 1 and 2 are refused naming both versions, and corrupt tokens are
// rejected with a message that says what is wrong.
// Method: encode hand-made tokens, decode them back; then damage them in
// each way a copy-paste or a hand edit can (prefix, alphabet, one changed
// character, truncation), and decode checksummed tokens whose fields
// Encode() would never write. Those were made by serializing the
// ReplayTokenFields bytes by hand and appending the checksum; they pin the
// format as well.
#include "framework/runtime/trace/replay_token.h"

#include <string>

#include "gtest/gtest.h"

namespace faultline {
namespace {

ReplayToken Sample() {
  ReplayToken token;
  token.plan_hash = 0x0123456789abcdefULL;
  token.seed = 0xfedcba9876543210ULL;
  token.strategy = static_cast<uint8_t>(StrategyKind::kPct);
  token.switches = {{3, 2}, {7, 1}, {8, 3}, {120, 2}};
  token.suppressed_fires = {0, 4};
  return token;
}

std::string DecodeError(absl::string_view text) {
  absl::StatusOr<ReplayToken> r = ReplayToken::Decode(text);
  if (r.ok()) return "decoded";
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(r.status().message());
}

TEST(ReplayToken, RoundTrips) {
  ReplayToken token = Sample();
  token.branch_fires = {2, uint64_t{1} << 40};
  const std::string text = token.Encode();
  EXPECT_EQ(text.substr(0, 4), "fl3-");
  absl::StatusOr<ReplayToken> back = ReplayToken::Decode(text);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, token);
  EXPECT_EQ(EncodeReplayToken(*back), text);
  EXPECT_TRUE(DecodeReplayToken(text).ok());
}

TEST(ReplayToken, RoundTripsTheEmptyToken) {
  const ReplayToken token;
  EXPECT_EQ(*ReplayToken::Decode(token.Encode()), token);
}

// The bytes are ReplayTokenFields: a pinned token keeps its fields.
TEST(ReplayToken, PinnedTokenDecodes) {
  absl::StatusOr<ReplayToken> r =
      ReplayToken::Decode("fl3-CbKCHTvwo_bKES8AWx8iIimcGAIiAgQDKgICASuDUDo");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->plan_hash, 14625057092111532722u);
  EXPECT_EQ(r->seed, 11252562673912184879u);
  EXPECT_EQ(r->strategy, static_cast<uint8_t>(StrategyKind::kExhaustive));
  const std::vector<std::pair<uint32_t, uint32_t>> switches = {{4, 2}, {7, 1}};
  EXPECT_EQ(r->switches, switches);
}

TEST(ReplayToken, FiftySwitchesFitIn256Bytes) {
  ReplayToken token = Sample();
  token.switches.clear();
  for (uint32_t i = 1; i <= 50; ++i) token.switches.emplace_back(i * 37, i % 5);
  const std::string text = token.Encode();
  EXPECT_LE(text.size(), 256u) << text;
  EXPECT_EQ(*ReplayToken::Decode(text), token);
}

// Versions 1 and 2 ("fl1-" + hand-written varints): version 1's suppressed
// fire ordinals name other fires since fire draws changed, and neither
// format is read any more; both are refused, naming both versions. The
// tokens were pinned by //tests/explore:golden_test in their day.
TEST(ReplayToken, RefusesVersionOneTokens) {
  EXPECT_EQ(DecodeError("fl1-AfPrmZ7BytanhAGT18PC0LWuihQBAAAZmAzm"),
            "replay token: version 1 is not supported: this faultline reads "
            "version 3 (\"fl3-\"); the token format changed since, so re-run "
            "the search that made the token to get a new one");
}

TEST(ReplayToken, RefusesVersionTwoTokens) {
  EXPECT_EQ(DecodeError("fl1-AvPrmZ7BytanhAGT18PC0LWuihQBAgMDhAEBAJ_davk"),
            "replay token: version 2 is not supported: this faultline reads "
            "version 3 (\"fl3-\"); the token format changed since, so re-run "
            "the search that made the token to get a new one");
}

TEST(ReplayToken, RefusesUnreadableOldTokenNamingBothOldVersions) {
  EXPECT_EQ(DecodeError("fl1-%%"),
            "replay token: version 1 or 2 is not supported: this faultline "
            "reads version 3 (\"fl3-\"); the token format changed since, so "
            "re-run the search that made the token to get a new one");
}

TEST(ReplayToken, RefusesNewerVersion) {
  EXPECT_EQ(DecodeError("fl4-AAAA"),
            "replay token: version 4 is not supported: this faultline reads "
            "version 3 (\"fl3-\"); the token comes from a newer faultline");
}

TEST(ReplayToken, RejectsBadPrefix) {
  EXPECT_EQ(DecodeError("xx3-AAAA"),
            "replay token: bad prefix: expected \"fl3-\", got \"xx3-\"");
}

TEST(ReplayToken, RejectsBadBase64Character) {
  std::string text = Sample().Encode();
  text[6] = '%';
  EXPECT_EQ(DecodeError(text),
            "replay token: invalid base64url character '%' at position 6");
  text[6] = '\0';
  EXPECT_EQ(DecodeError(text),
            "replay token: invalid base64url character '\\x00' at position 6");
}

// Base64 padding is not part of the format: one spelling per token.
TEST(ReplayToken, RejectsPadding) {
  EXPECT_EQ(DecodeError(Sample().Encode() + "=="),
            "replay token: invalid base64url character '=' at position " +
                std::to_string(Sample().Encode().size()));
}

TEST(ReplayToken, RejectsChangedCharacterByChecksum) {
  std::string text = Sample().Encode();
  text[10] = text[10] == 'A' ? 'B' : 'A';
  EXPECT_EQ(DecodeError(text),
            "replay token: checksum mismatch (the token was altered or cut)");
}

TEST(ReplayToken, RejectsTruncatedToken) {
  const std::string text = Sample().Encode();
  EXPECT_EQ(DecodeError("fl3-"),
            "replay token: truncated: 0 bytes, need at least 4");
  EXPECT_EQ(DecodeError("fl3-AAAAA"),
            "replay token: truncated: 5 base64url characters cannot end a "
            "token");
  for (size_t keep : {size_t{8}, text.size() - 2, text.size() - 3}) {
    const std::string message = DecodeError(text.substr(0, keep));
    EXPECT_TRUE(message.find("truncated") != std::string::npos ||
                message.find("checksum mismatch") != std::string::npos)
        << keep << ": " << message;
  }
}

// Found by //fuzz:replay_token_fuzzer (version 2): the last character
// carries spare low bits the decoder drops, so a changed last character
// could pass the checksum and two texts would name one token.
TEST(ReplayToken, RejectsNonCanonicalLastCharacter) {
  const std::string text = Sample().Encode();
  ASSERT_NE(text.size() % 4, 0u) << "the sample must end in a partial group";
  std::string altered = text;
  const char* const alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const int value = static_cast<int>(std::string(alphabet).find(text.back()));
  altered.back() = alphabet[value | 1];  // set a spare bit
  ASSERT_NE(altered, text);
  EXPECT_EQ(DecodeError(altered),
            "replay token: not in canonical form (the token was altered)");
}

// Checksummed payloads protobuf parses to the same message in other
// spellings: a repeated field not packed, fields out of number order.
TEST(ReplayToken, RejectsNonCanonicalEncoding) {
  for (const char* text : {"fl3-IAMoAVOdqL0", "fl3-GAEJBwAAAAAAAAB3w1cz"}) {
    EXPECT_EQ(DecodeError(text),
              "replay token: not in canonical form (the token was altered)")
        << text;
  }
}

TEST(ReplayToken, RejectsUnparsableFields) {
  // Field 3's tag with its varint missing.
  EXPECT_EQ(DecodeError("fl3-GPU1WTU"),
            "replay token: the fields do not parse (the token was not written "
            "by faultline)");
}

TEST(ReplayToken, RejectsUnknownField) {
  EXPECT_EQ(DecodeError("fl3-eAG3zIvO"),
            "replay token: unknown field 15 (not written by this faultline)");
}

// Checksummed tokens whose fields Encode() would never write: a hand-edited
// or foreign token must be refused, not truncated into another schedule.
TEST(ReplayToken, RejectsUnknownStrategy) {
  ReplayToken token = Sample();
  token.strategy = 99;
  EXPECT_EQ(DecodeError(token.Encode()), "replay token: unknown strategy 99");
}

TEST(ReplayToken, RejectsSwitchStepsWithoutTasks) {
  EXPECT_EQ(DecodeError("fl3-IgIBAioBAYLruAc"),
            "replay token: 2 switch steps but 1 switch tasks");
}

TEST(ReplayToken, RejectsSwitchStepsOutOfRange) {
  EXPECT_EQ(DecodeError("fl3-IgIAACoCAQFsHjLK"),
            "replay token: switch 1 is out of range (step delta 0 after step "
            "0)");
  EXPECT_EQ(DecodeError("fl3-Igb_____DwEqAgEB8FWIqw"),
            "replay token: switch 1 is out of range (step delta 1 after step "
            "4294967295)");
}

TEST(ReplayToken, RejectsSuppressedFiresOutOfOrder) {
  ReplayToken token = Sample();
  token.suppressed_fires = {4, 4};
  EXPECT_EQ(DecodeError(token.Encode()),
            "replay token: suppressed fires not ascending at index 1 (4 then "
            "4)");
}

TEST(ReplayToken, RejectsBranchFiresOutOfOrder) {
  EXPECT_EQ(DecodeError("fl3-OgIFBatQTUQ"),
            "replay token: branch fires not ascending at index 1 (5 then 5)");
}

TEST(ReplayToken, KeepsSuppressedFiresBeyond32Bits) {
  ReplayToken token = Sample();
  token.suppressed_fires = {3, uint64_t{1} << 40};
  absl::StatusOr<ReplayToken> r = ReplayToken::Decode(token.Encode());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->suppressed_fires, token.suppressed_fires);
}

}  // namespace
}  // namespace faultline
