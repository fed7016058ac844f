// Goal: the decision PRNG (framework/rng.h) gives the same bits in every
// build, forever, and those bits are uniform enough for probabilities,
// delays and strategy choices.
// Method: golden values pin the exact output (a change to the mixing
// function would silently change every recorded replay token and seed).
// Mix64 and NameHash are also checked against the published SplitMix64 and
// FNV-1a test vectors, so the goldens are not just "what the code did once".
// Statistical checks use 100k draws with tolerances far outside noise.
#include "framework/rng.h"

#include <array>
#include <cstdint>
#include <set>
#include <string>

#include "gtest/gtest.h"

namespace faultline {
namespace {

TEST(Mix64, MatchesTheSplitMix64ReferenceOutputs) {
  // SplitMix64 seeded with 0 outputs Mix64(0), Mix64(gamma), ...
  EXPECT_EQ(Mix64(0), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(Mix64(0x9e3779b97f4a7c15ULL), 0x6e789e6aa1b965f4ULL);
  EXPECT_EQ(Mix64(1), 0x910a2dec89025cc1ULL);
}

TEST(NameHash, MatchesTheFnv1aReferenceOutputs) {
  EXPECT_EQ(NameHash(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(NameHash("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(NameHash("foobar"), 0x85944171f73967e8ULL);
  static_assert(NameHash("a") == 0xaf63dc4c8601ec8cULL,
                "usable in constant expressions");
}

// NameHash folds eight bytes a round: every length and tail, and bytes with
// the high bit set, give what the one-byte-at-a-time definition gives.
TEST(NameHash, EqualsTheByteAtATimeFoldAtEveryLength) {
  std::string text;
  for (int i = 0; i < 41; ++i) {
    uint64_t want = 0xcbf29ce484222325ULL;
    for (char c : text) {
      want ^= static_cast<unsigned char>(c);
      want *= 0x100000001b3ULL;
    }
    EXPECT_EQ(NameHash(text), want) << "length " << text.size();
    text.push_back(static_cast<char>(i * 37 + 200));
  }
  static_assert(NameHash("foobarfoobar") != NameHash("foobarfoobaR"),
                "the eight-byte rounds are usable in constant expressions");
}

TEST(DrawBits, GoldenValues) {
  EXPECT_EQ(DrawBits({}), 0x6a09e667f3bcc909ULL);
  EXPECT_EQ(DrawBits({0}), 0x410cf10714f42861ULL);
  EXPECT_EQ(DrawBits({1, 2, 3}), 0xf6970208bf71a3a3ULL);
  // The key a fault decision uses: seed, point hash, task, hit, rule, stream.
  EXPECT_EQ(DrawBits({42, NameHash("mm.trylock_page"), 1, 0, 0, 1}),
            0x84067fb7c84e71b0ULL);
}

TEST(DrawBits, KeyOrderMatters) {
  EXPECT_EQ(DrawBits({3, 2, 1}), 0xe9fac4bd9ae13c40ULL);
  EXPECT_NE(DrawBits({1, 2, 3}), DrawBits({3, 2, 1}));
  EXPECT_NE(DrawBits({0}), DrawBits({0, 0}));
}

TEST(CounterRng, IthOutputIsDrawBitsOfKeyAndI) {
  CounterRng rng(7);
  EXPECT_EQ(rng.Next(), 0xe39528ddaedee7bdULL);
  EXPECT_EQ(rng.Next(), 0x214f83d0cca764ccULL);
  EXPECT_EQ(rng.Next(), 0x175e32b4ae239c39ULL);
  EXPECT_EQ(rng.draws(), 3u);
  CounterRng again(7);
  for (uint64_t i = 0; i < 100; ++i) EXPECT_EQ(again.Next(), DrawBits({7, i}));
}

TEST(BitsToUnit, MapsIntoTheHalfOpenUnitInterval) {
  EXPECT_EQ(BitsToUnit(0), 0.0);
  EXPECT_LT(BitsToUnit(~uint64_t{0}), 1.0);
  EXPECT_EQ(BitsToUnit(uint64_t{1} << 63), 0.5);
  EXPECT_DOUBLE_EQ(BitsToUnit(DrawBits({1, 2, 3})), 0.96324169839448937);
}

TEST(BitsToUnit, MeanOfManyDrawsIsOneHalf) {
  constexpr int kDraws = 100000;
  double sum = 0;
  for (uint64_t i = 0; i < kDraws; ++i) {
    const double u = BitsToUnit(DrawBits({99, i}));
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  // The standard error of the mean is 0.29/sqrt(1e5) ~ 0.001.
  EXPECT_NEAR(sum / kDraws, 0.5, 0.01);
}

TEST(BitsBelow, StaysBelowTheBoundAndCoversIt) {
  EXPECT_EQ(BitsBelow(0, 10), 0u);
  EXPECT_EQ(BitsBelow(~uint64_t{0}, 10), 9u);
  EXPECT_EQ(BitsBelow(~uint64_t{0}, 1), 0u);
  EXPECT_EQ(BitsBelow(DrawBits({1, 2, 3}), 1000), 963u);
  constexpr int kDraws = 100000;
  constexpr uint64_t kBound = 6;
  std::array<int, kBound> counts = {};
  for (uint64_t i = 0; i < kDraws; ++i) {
    const uint64_t v = BitsBelow(DrawBits({5, i}), kBound);
    ASSERT_LT(v, kBound);
    ++counts[v];
  }
  // Each bucket expects 16667 with a standard deviation of ~118.
  for (int count : counts) EXPECT_NEAR(count, kDraws / kBound, 800);
}

TEST(BitsBelow, HugeBoundsStayInRange) {
  const uint64_t bound = (uint64_t{1} << 63) + 12345;
  std::set<bool> upper_half_seen;
  for (uint64_t i = 0; i < 1000; ++i) {
    const uint64_t v = BitsBelow(DrawBits({i}), bound);
    ASSERT_LT(v, bound);
    upper_half_seen.insert(v >= bound / 2);
  }
  EXPECT_EQ(upper_half_seen.size(), 2u);
}

}  // namespace
}  // namespace faultline
