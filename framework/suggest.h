// -----------------------------------------------------------------------------
// File: suggest.h
// -----------------------------------------------------------------------------
//
// "Did you mean" for names typed into plans: scenario, parameter, variant,
// fault point, hook and field names. A misspelt name is answered with the
// closest known name by Damerau-Levenshtein distance (optimal string
// alignment: insert, delete, substitute, swap two neighbours, each cost 1),
// if it is close enough to be a plausible typo.
//
// The threshold is (length of the typed word + 2) / 3 edits, at least 1, the
// rule clang uses for typo correction: "seed_rase" (9 letters) may be 3 edits
// away, "nth" only 1. Ties go to the lexicographically smallest candidate, so
// the suggestion never depends on registration order.
//
// Example:
//   ClosestMatch match("btrfs_eb.seed_rase");
//   for (const ScenarioInfo* s : registry.List()) match.Consider(s->name);
//   absl::StrCat("unknown scenario \"btrfs_eb.seed_rase\"",
//   match.DidYouMean());
//   // -> unknown scenario "btrfs_eb.seed_rase"; did you mean
//   //    "btrfs_eb.seed_race"?
//
// When nothing is close, NameHint lists the known names instead, so a
// missing name can be filled in: `; known hooks: "a", "b"`.
//
// Thread-safety: functions are pure; a ClosestMatch is not shared.

#ifndef FAULTLINE_FRAMEWORK_SUGGEST_H_
#define FAULTLINE_FRAMEWORK_SUGGEST_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace faultline {

// Optimal string alignment distance between `a` and `b` (byte-wise).
int EditDistance(absl::string_view a, absl::string_view b);

// The largest distance at which a candidate is still suggested for `word`.
int SuggestionThreshold(absl::string_view word);

// Accumulates candidates and keeps the closest one within the threshold.
class ClosestMatch {
 public:
  explicit ClosestMatch(absl::string_view word);

  // Offers one known name. An exact match is never suggested (the caller
  // only asks about names that did not resolve).
  void Consider(absl::string_view candidate);

  // True if some candidate is within the threshold.
  bool found() const { return best_distance_ >= 0; }
  // The closest candidate, or "" if none is within the threshold.
  const std::string& best() const { return best_; }
  // `; did you mean "<best>"?`, or "" if nothing is close.
  std::string DidYouMean() const;

 private:
  std::string word_;
  int threshold_;
  int best_distance_ = -1;
  std::string best_;
};

// At most this many names are listed when no suggestion is close.
inline constexpr int kMaxListedNames = 8;

// "; known <what>: ..." (the first kMaxListedNames, quoted, then the count),
// or "; this binary registers no <what>" if `known` is empty.
std::string KnownNames(const std::vector<std::string>& known,
                       absl::string_view what);

// Did-you-mean for `word` among `known`, else KnownNames(known, what).
std::string NameHint(absl::string_view word,
                     const std::vector<std::string>& known,
                     absl::string_view what);

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_SUGGEST_H_
