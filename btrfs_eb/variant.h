// -----------------------------------------------------------------------------
// File: btrfs_eb/variant.h
// -----------------------------------------------------------------------------
//
// Which kernel the model behaves like. A plan chooses it with
// Scenario.variant ("prefix" / "postfix" / "postfix_v1"); the scenario turns
// the name into a KernelVariant and stores its Behaviour on FsInfo. Model code
// asks the Behaviour one question per historic difference, never #ifdef, so
// a later fix is one more bool and one more table row.
//
// Example:
//   if (fs_info->behaviour().read_tree_ref_after_io_pages)
//     check_buffer_tree_ref(eb);
//
// Thread-safety: immutable after construction.

#ifndef FAULTLINE_BTRFS_EB_VARIANT_H_
#define FAULTLINE_BTRFS_EB_VARIANT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace faultline {
namespace btrfs_eb {

enum class KernelVariant {
  // v5.4-v5.7: no check_buffer_tree_ref after io_pages.
  kPreFix,
  // v5.8+: "btrfs: fix fatal extent_buffer readahead vs releasepage race"
  // as merged (read side only).
  kPostFix,
  // v1 of the same patch (17 Jun 2020): also re-checks in write_one_eb.
  // Never merged; kept to compare the two forms.
  kPostFixV1,
  // v6.5-v6.8 (CVE-2024-35798): the READING-bit read path of d7172f52e993,
  // without / with "btrfs: fix race in read_extent_buffer_pages()" (v6.9).
  kCve2024_35798PreFix,
  kCve2024_35798PostFix,
};

// One bool per behaviour difference between kernels.
struct Behaviour {
  KernelVariant variant;
  const char* name;  // the Scenario.variant spelling
  // read_extent_buffer_pages calls check_buffer_tree_ref right after
  // atomic_set(io_pages).
  bool read_tree_ref_after_io_pages;
  // write_one_eb calls check_buffer_tree_ref right after atomic_set(io_pages)
  // (v1 of the fix only).
  bool write_tree_ref_after_io_pages;
  // v6.5+: read_extent_buffer_pages serializes readers with the
  // EXTENT_BUFFER_READING bit instead of page locks; the bio holds an eb
  // ref; completion is end_bbio_meta_read (extent_io_read_bit.cc).
  bool read_reading_bit = false;
  // v6.9 (the CVE-2024-35798 fix): after winning READING, re-test UPTODATE
  // and give READING back if another read completed meanwhile.
  bool read_recheck_uptodate = false;
};

// The table row for `variant`.
const Behaviour& BehaviourOf(KernelVariant variant);

// Parses a Scenario.variant value; "" means the default ("postfix").
// InvalidArgument lists the accepted names.
absl::StatusOr<KernelVariant> ParseKernelVariant(absl::string_view name);

// The accepted Scenario.variant names, default first.
std::vector<std::string> KernelVariantNames();

}  // namespace btrfs_eb
}  // namespace faultline

#endif  // FAULTLINE_BTRFS_EB_VARIANT_H_
