// Goal: did-you-mean suggests the intended name for typical typos, stays
// quiet for unrelated names, and never depends on candidate order; when
// nothing is close, the known names are listed instead, a bounded number.
// Method: edit distances checked against hand-computed values; ClosestMatch
// fed the same candidates in different orders; hints compared as strings.
#include "framework/suggest.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace faultline {
namespace {

TEST(EditDistance, CountsInsertDeleteSubstituteAndSwap) {
  EXPECT_EQ(EditDistance("", ""), 0);
  EXPECT_EQ(EditDistance("abc", ""), 3);
  EXPECT_EQ(EditDistance("", "abc"), 3);
  EXPECT_EQ(EditDistance("seed_race", "seed_race"), 0);
  EXPECT_EQ(EditDistance("seed_rase", "seed_race"), 1);   // substitute
  EXPECT_EQ(EditDistance("seed_rac", "seed_race"), 1);    // insert
  EXPECT_EQ(EditDistance("seeds_race", "seed_race"), 1);  // delete
  EXPECT_EQ(EditDistance("seed_rcae", "seed_race"), 1);   // swap neighbours
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3);
  EXPECT_EQ(EditDistance("ca", "abc"), 3);  // optimal string alignment
}

TEST(EditDistance, IsSymmetric) {
  const std::vector<std::string> words = {
      "", "a", "nth", "skip", "probabilty", "probability", "max_fires"};
  for (const std::string& a : words) {
    for (const std::string& b : words) {
      EXPECT_EQ(EditDistance(a, b), EditDistance(b, a)) << a << " " << b;
    }
  }
}

TEST(SuggestionThreshold, GrowsWithTheWordAndIsAtLeastOne) {
  EXPECT_EQ(SuggestionThreshold(""), 1);
  EXPECT_EQ(SuggestionThreshold("nth"), 1);
  EXPECT_EQ(SuggestionThreshold("skip"), 2);
  EXPECT_EQ(SuggestionThreshold("btrfs_eb.seed_rase"), 6);
}

TEST(ClosestMatch, SuggestsTheNearestCandidate) {
  ClosestMatch match("btrfs_eb.seed_rase");
  match.Consider("btrfs_eb.release_race");
  match.Consider("btrfs_eb.seed_race");
  match.Consider("icache.igrab_vs_evict");
  EXPECT_EQ(match.best(), "btrfs_eb.seed_race");
  EXPECT_EQ(match.DidYouMean(), "; did you mean \"btrfs_eb.seed_race\"?");
}

TEST(ClosestMatch, StaysQuietForUnrelatedNames) {
  ClosestMatch match("threads");
  match.Consider("variant");
  match.Consider("rounds");
  EXPECT_FALSE(match.found());
  EXPECT_EQ(match.best(), "");
  EXPECT_EQ(match.DidYouMean(), "");
}

TEST(ClosestMatch, NeverSuggestsTheWordItself) {
  ClosestMatch match("rounds");
  match.Consider("rounds");
  EXPECT_FALSE(match.found());
}

TEST(ClosestMatch, TiesGoToTheSmallestNameWhateverTheOrder) {
  std::vector<std::string> candidates = {"page_b", "page_c", "page_a"};
  std::sort(candidates.begin(), candidates.end());
  do {
    ClosestMatch match("page_x");
    for (const std::string& c : candidates) match.Consider(c);
    EXPECT_EQ(match.best(), "page_a");
  } while (std::next_permutation(candidates.begin(), candidates.end()));
}

TEST(ClosestMatch, ShortWordsNeedCloseCandidates) {
  ClosestMatch match("nht");
  match.Consider("nth");   // one swap
  match.Consider("name");  // too far for a three-letter word
  EXPECT_EQ(match.best(), "nth");
  ClosestMatch far("abc");
  far.Consider("xyz");
  EXPECT_FALSE(far.found());
}

TEST(NameHint, SuggestsTheClosestNameWhenOneIsClose) {
  EXPECT_EQ(NameHint("hoks", {"hooks", "points"}, "sections"),
            "; did you mean \"hooks\"?");
}

TEST(NameHint, ListsTheKnownNamesWhenNoneIsClose) {
  EXPECT_EQ(NameHint("zzzzzz", {"alpha", "beta"}, "hooks"),
            "; known hooks: \"alpha\", \"beta\"");
  EXPECT_EQ(NameHint("zzzzzz", {}, "hooks"),
            "; this binary registers no hooks");
}

TEST(KnownNames, ShowsAtMostEightAndCountsTheRest) {
  std::vector<std::string> names;
  for (int i = 0; i < 10; ++i) names.push_back(std::string(1, 'a' + i));
  EXPECT_EQ(KnownNames(names, "points"),
            "; known points: \"a\", \"b\", \"c\", \"d\", \"e\", \"f\", "
            "\"g\", \"h\", ... (10 in all)");
  names.resize(kMaxListedNames);
  EXPECT_EQ(KnownNames(names, "points"),
            "; known points: \"a\", \"b\", \"c\", \"d\", \"e\", \"f\", "
            "\"g\", \"h\"");
}

}  // namespace
}  // namespace faultline
