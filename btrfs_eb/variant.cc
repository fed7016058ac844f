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
    {KernelVariant::kPostFix, "postfix", /*read=*/true, /*write=*/false},
    {KernelVariant::kPreFix, "prefix", /*read=*/false, /*write=*/false},
    {KernelVariant::kPostFixV1, "postfix_v1", /*read=*/true, /*write=*/true},
    // v6.5-v6.8: the 2020 fix's check_buffer_tree_ref stays in the new read
    // path (before submission).
    {KernelVariant::kCve2024_35798PreFix, "eb_cve_2024_35798_prefix",
     /*read=*/true, /*write=*/false, /*read_reading_bit=*/true,
     /*read_recheck_uptodate=*/false},
    {KernelVariant::kCve2024_35798PostFix, "eb_cve_2024_35798_postfix",
     /*read=*/true, /*write=*/false, /*read_reading_bit=*/true,
     /*read_recheck_uptodate=*/true},
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
