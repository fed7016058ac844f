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
    // Columns after the name: read_tree_ref_after_io_pages,
    // write_tree_ref_after_io_pages, grab_eb_without_private_lock,
    // find_ignores_stale, read_reading_bit, read_recheck_uptodate,
    // tree_ref_check_locked, tree_ref_check_fast_path.
    {KernelVariant::kPostFix, "postfix", true, false, false, false, false,
     false, true, true},
    {KernelVariant::kPreFix, "prefix", false, false, false, false, false, false,
     true, true},
    {KernelVariant::kPostFixV1, "postfix_v1", true, true, false, false, false,
     false, true, true},
    // 2013 rows (docs/btrfs_eb.md): before the 2015 stale-reuse and 2020
    // readahead fixes; check_buffer_tree_ref has no fast path yet.
    {KernelVariant::kEb2013Prefix, "eb_2013_prefix", false, false, false, true,
     false, false, false, false},
    {KernelVariant::kEb2013Postfix, "eb_2013_postfix", false, false, false,
     true, false, false, true, false},
    // The 2015 stale-reuse fix; both rows predate 2020's.
    {KernelVariant::kStale2015PreFix, "eb_2015_stale_prefix", false, false,
     false, true, false, false, true, true},
    {KernelVariant::kStale2015PostFix, "eb_2015_stale_postfix", false, false,
     false, false, false, false, true, true},
    // v6.5-v6.8: the READING-bit read path; the 2020 fix's
    // check_buffer_tree_ref stays in it (before submission).
    {KernelVariant::kCve2024_35798PreFix, "eb_cve_2024_35798_prefix", true,
     false, false, false, true, false, true, true},
    {KernelVariant::kCve2024_35798PostFix, "eb_cve_2024_35798_postfix", true,
     false, false, false, true, true, true, true},
    // v6.8-v6.9 folio rows: every earlier fix.
    // MODEL: they keep the page-lock read path (v6.5's READING bit is the
    // CVE rows'); the folio race is on allocation, not on reads.
    {KernelVariant::kFolio2024PreFix, "eb_2024_folio_prefix", true, false, true,
     false, false, false, true, true},
    {KernelVariant::kFolio2024PostFix, "eb_2024_folio_postfix", true, false,
     false, false, false, false, true, true},
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
