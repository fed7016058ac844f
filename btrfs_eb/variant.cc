// The kernel variant table (see variant.h).
#include "btrfs_eb/variant.h"

#include <iterator>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace faultline {
namespace btrfs_eb {
namespace {

// Default first: the plan's empty variant means table[0].
constexpr Behaviour kBehaviours[] = {
    // Columns: read_tree_ref_after_io_pages, write_tree_ref_after_io_pages,
    // grab_eb_without_private_lock, find_ignores_stale, read_reading_bit,
    // read_recheck_uptodate.
    {KernelVariant::kPostFix, "postfix", true, false, false, false, false,
     false},
    {KernelVariant::kPreFix, "prefix", false, false, false, false, false,
     false},
    {KernelVariant::kPostFixV1, "postfix_v1", true, true, false, false, false,
     false},
    // v6.8-era rows: the 2020 readahead fix (and 2015's), and v6.5's
    // READING-bit read path with the CVE-2024-35798 fix (v6.9, backported
    // to 6.8.3).
    // MODEL: both folio rows keep the page-lock read path; the folio race
    // is on allocation, not on reads.
    {KernelVariant::kFolio2024PreFix, "eb_2024_folio_prefix", true, false,
     true, false, false, false},
    {KernelVariant::kFolio2024PostFix, "eb_2024_folio_postfix", true, false,
     false, false, false, false},
    // The 2015 stale-reuse fix (docs/btrfs_eb.md); both predate 2020's.
    {KernelVariant::kStale2015PreFix, "eb_2015_stale_prefix", false, false,
     false, true, false, false},
    {KernelVariant::kStale2015PostFix, "eb_2015_stale_postfix", false, false,
     false, false, false, false},
    // v6.5-v6.8: the 2020 fix's check_buffer_tree_ref stays in the new read
    // path (before submission).
    {KernelVariant::kCve2024_35798PreFix, "eb_cve_2024_35798_prefix", true,
     false, false, false, true, false},
    {KernelVariant::kCve2024_35798PostFix, "eb_cve_2024_35798_postfix", true,
     false, false, false, true, true},
};

}  // namespace

const Behaviour& BehaviourOf(KernelVariant variant) {
  for (const Behaviour& b : kBehaviours) {
    if (b.variant == variant) return b;
  }
  return kBehaviours[0];
}

absl::StatusOr<KernelVariant> ParseKernelVariant(absl::string_view name) {
  if (name.empty()) return kBehaviours[0].variant;
  for (const Behaviour& b : kBehaviours) {
    if (name == b.name) return b.variant;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown btrfs_eb variant \"", name,
      "\"; expected one of: ", absl::StrJoin(KernelVariantNames(), ", ")));
}

std::vector<std::string> KernelVariantNames() {
  std::vector<std::string> names;
  for (const Behaviour& b : kBehaviours) names.push_back(b.name);
  return names;
}

}  // namespace btrfs_eb
}  // namespace faultline
