// Edit distance and closest-name suggestions (see suggest.h).
#include "framework/suggest.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "framework/check.h"

namespace faultline {
namespace {

// `"a", "b", "c"`, or `"a", ... (12 in all)` when long.
std::string QuotedList(const std::vector<std::string>& names) {
  std::vector<std::string> shown;
  for (const std::string& name : names) {
    if (static_cast<int>(shown.size()) == kMaxListedNames) break;
    shown.push_back(absl::StrCat("\"", name, "\""));
  }
  std::string out = absl::StrJoin(shown, ", ");
  if (names.size() > shown.size()) {
    absl::StrAppend(&out, ", ... (", names.size(), " in all)");
  }
  return out;
}

}  // namespace

int EditDistance(absl::string_view a, absl::string_view b) {
  const size_t n = a.size();
  const size_t m = b.size();
  // Three rolling rows: the swap rule looks two rows back.
  std::vector<int> two_back(m + 1), previous(m + 1), current(m + 1);
  for (size_t j = 0; j <= m; ++j) previous[j] = static_cast<int>(j);
  for (size_t i = 1; i <= n; ++i) {
    current[0] = static_cast<int>(i);
    for (size_t j = 1; j <= m; ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      int best = std::min({previous[j] + 1,           // delete a[i-1]
                           current[j - 1] + 1,        // insert b[j-1]
                           previous[j - 1] + cost});  // substitute
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        best = std::min(best, two_back[j - 2] + 1);  // swap neighbours
      }
      current[j] = best;
    }
    std::swap(two_back, previous);
    std::swap(previous, current);
  }
  const int distance = previous[m];
  FL_CHECK(distance >= 0);
  FL_CHECK(static_cast<size_t>(distance) <= std::max(n, m));
  return distance;
}

int SuggestionThreshold(absl::string_view word) {
  return std::max<int>(1, static_cast<int>((word.size() + 2) / 3));
}

ClosestMatch::ClosestMatch(absl::string_view word)
    : word_(word), threshold_(SuggestionThreshold(word)) {}

void ClosestMatch::Consider(absl::string_view candidate) {
  if (candidate == word_ || candidate.empty()) return;
  // Cheap reject: the length difference alone is a lower bound.
  const int length_gap = static_cast<int>(
      candidate.size() > word_.size() ? candidate.size() - word_.size()
                                      : word_.size() - candidate.size());
  if (length_gap > threshold_) return;
  const int distance = EditDistance(word_, candidate);
  if (distance > threshold_) return;
  const bool closer = best_distance_ < 0 || distance < best_distance_;
  const bool tie_and_smaller =
      distance == best_distance_ && candidate < absl::string_view(best_);
  if (closer || tie_and_smaller) {
    best_distance_ = distance;
    best_ = std::string(candidate);
  }
}

std::string ClosestMatch::DidYouMean() const {
  if (!found()) return "";
  return absl::StrCat("; did you mean \"", best_, "\"?");
}

std::string KnownNames(const std::vector<std::string>& known,
                       absl::string_view what) {
  if (known.empty()) return absl::StrCat("; this binary registers no ", what);
  return absl::StrCat("; known ", what, ": ", QuotedList(known));
}

std::string NameHint(absl::string_view word,
                     const std::vector<std::string>& known,
                     absl::string_view what) {
  ClosestMatch match(word);
  for (const std::string& name : known) match.Consider(name);
  if (match.found()) return match.DidYouMean();
  return KnownNames(known, what);
}

}  // namespace faultline
