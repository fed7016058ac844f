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
    // grab_eb_without_private_lock, find_ignores_stale.
    {KernelVariant::kPostFix, "postfix", true, false, false, false},
    {KernelVariant::kPreFix, "prefix", false, false, false, false},
    {KernelVariant::kPostFixV1, "postfix_v1", true, true, false, false},
    // v6.8-era rows carry the 2020 readahead fix (and 2015's).
    {KernelVariant::kFolio2024PreFix, "eb_2024_folio_prefix", true, false,
     true, false},
    {KernelVariant::kFolio2024PostFix, "eb_2024_folio_postfix", true, false,
     false, false},
    // The 2015 stale-reuse fix (docs/btrfs_eb.md); both predate 2020's.
    {KernelVariant::kStale2015PreFix, "eb_2015_stale_prefix", false, false,
     false, true},
    {KernelVariant::kStale2015PostFix, "eb_2015_stale_postfix", false, false,
     false, false},
    // 2013 rows: before the 2015 stale-reuse and 2020 readahead fixes.
    // Extra columns: tree_ref_check_locked, tree_ref_check_fast_path.
    {KernelVariant::kEb2013Prefix, "eb_2013_prefix", false, false, false,
     true, false, false},
    {KernelVariant::kEb2013Postfix, "eb_2013_postfix", false, false, false,
     true, true, false},
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
