// Goal: replay tokens round-trip, stay short, and corrupt tokens are
// rejected with a message that says what is wrong.
// Method: encode hand-made tokens, decode them back; then damage them in
// each way a copy-paste can (prefix, alphabet, one changed character,
// truncation) and check the error text.
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

TEST(ReplayToken, RoundTrips) {
  const ReplayToken token = Sample();
  const std::string text = token.Encode();
  EXPECT_EQ(text.substr(0, 4), "fl1-");
  absl::StatusOr<ReplayToken> back = ReplayToken::Decode(text);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, token);
  EXPECT_EQ(EncodeReplayToken(*back), text);
  EXPECT_TRUE(DecodeReplayToken(text).ok());
}

TEST(ReplayToken, FiftySwitchesFitIn256Bytes) {
  ReplayToken token = Sample();
  token.switches.clear();
  for (uint32_t i = 1; i <= 50; ++i) token.switches.emplace_back(i * 37, i % 5);
  const std::string text = token.Encode();
  EXPECT_LE(text.size(), 256u) << text;
  EXPECT_EQ(*ReplayToken::Decode(text), token);
}

TEST(ReplayToken, RejectsBadPrefix) {
  absl::StatusOr<ReplayToken> r = ReplayToken::Decode("xx1-AAAA");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("bad prefix"), std::string::npos)
      << r.status();
}

TEST(ReplayToken, RejectsBadBase64Character) {
  std::string text = Sample().Encode();
  text[6] = '%';
  absl::StatusOr<ReplayToken> r = ReplayToken::Decode(text);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("invalid base64url character '%' at "
                                      "position 6"),
            std::string::npos)
      << r.status();
}

TEST(ReplayToken, RejectsChangedCharacterByChecksum) {
  std::string text = Sample().Encode();
  text[10] = text[10] == 'A' ? 'B' : 'A';
  absl::StatusOr<ReplayToken> r = ReplayToken::Decode(text);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("checksum mismatch"), std::string::npos)
      << r.status();
}

// Found by //fuzz:replay_token_fuzzer: the last character carries spare low
// bits the decoder dropped, so a changed last character could pass the
// checksum and two texts named one token.
TEST(ReplayToken, RejectsNonCanonicalLastCharacter) {
  const std::string text = Sample().Encode();
  const size_t spare_bits = (text.size() - 4) * 6 % 8;
  ASSERT_GT(spare_bits, 0u) << "the sample must end in a partial character";
  std::string altered = text;
  const char* const alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const int value = static_cast<int>(std::string(alphabet).find(text.back()));
  altered.back() = alphabet[value | 1];  // set a spare bit
  ASSERT_NE(altered, text);
  absl::StatusOr<ReplayToken> r = ReplayToken::Decode(altered);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("not in canonical form"),
            std::string::npos)
      << r.status();
}

TEST(ReplayToken, RejectsTruncatedToken) {
  const std::string text = Sample().Encode();
  for (size_t keep : {size_t{4}, size_t{6}, text.size() - 3}) {
    absl::StatusOr<ReplayToken> r = ReplayToken::Decode(text.substr(0, keep));
    ASSERT_FALSE(r.ok()) << keep;
    const std::string message(r.status().message());
    EXPECT_TRUE(message.find("truncated") != std::string::npos ||
                message.find("checksum mismatch") != std::string::npos)
        << message;
  }
}

// Checksummed tokens whose fields Encode() would never write: a hand-edited
// or foreign token must be refused, not truncated into another schedule.
TEST(ReplayToken, RejectsUnknownStrategy) {
  ReplayToken token = Sample();
  token.strategy = 99;
  absl::StatusOr<ReplayToken> r = ReplayToken::Decode(token.Encode());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "replay token: unknown strategy 99");
}

// A version 1 token (pinned by //tests/explore:golden_test before fire
// draws changed to version 2): its suppressed fire ordinals would name other
// fires now, so it is refused, naming both versions.
TEST(ReplayToken, RefusesVersionOneTokens) {
  absl::StatusOr<ReplayToken> r =
      ReplayToken::Decode("fl1-AfPrmZ7BytanhAGT18PC0LWuihQBAAAZmAzm");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "replay token: version 1 is not supported: this faultline reads "
            "version 2 (fault draws changed since; re-run the search that "
            "made the token to get a new one)");
}

TEST(ReplayToken, RejectsSuppressedFiresOutOfOrder) {
  ReplayToken token = Sample();
  token.suppressed_fires = {4, 4};
  absl::StatusOr<ReplayToken> r = ReplayToken::Decode(token.Encode());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "replay token: suppressed fires not ascending at index 1 (4 then "
            "4)");
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
