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
  // v6.8-v6.9 (folios, "allocate then attach" alloc_extent_buffer) before
  // f3a5367c679d "btrfs: protect folio::private when attaching extent buffer
  // folios": grab_extent_buffer runs without mapping->private_lock.
  kFolio2024PreFix,
  // v6.10-rc3+ (f3a5367c679d): the grab and the attach under one
  // private_lock section again.
  kFolio2024PostFix,
  // v3.19-v4.0-rc: before "Btrfs: fix race when reusing stale extent buffers
  // that leads to BUG_ON" (and before the 2020 readahead fix).
  kStale2015PreFix,
  // v4.0 (Linux 4.0-rc5, 2015) with that fix, still before the 2020 one.
  kStale2015PostFix,
  // v6.5-v6.8 (CVE-2024-35798): the READING-bit read path of d7172f52e993,
  // without / with "btrfs: fix race in read_extent_buffer_pages()" (v6.9).
  kCve2024_35798PreFix,
  kCve2024_35798PostFix,
  // v3.4-era (2013): check_buffer_tree_ref takes no refs_lock, so a lookup
  // can dirty an eb inside try_release_extent_buffer's window (before
  // "Btrfs: fix potential race in extent buffer freeing", 594831c4b232).
  kEb2013Prefix,
  // The same era with that fix: check_buffer_tree_ref always under refs_lock.
  kEb2013Postfix,
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
  // alloc_extent_buffer tests, reuses or detaches an existing page's
  // private eb without mapping->private_lock and attaches the new eb in a
  // later private_lock section (v6.8-v6.9 attach_eb_folio_to_filemap ->
  // grab_extent_buffer, before f3a5367c679d).
  bool grab_eb_without_private_lock = false;
  // find_extent_buffer returns a STALE eb without first taking and dropping
  // its refs_lock (before the 2015 fix, v3.19 fs/btrfs/extent_io.c), so a
  // free_extent_buffer(_stale) that already decided to drop the tree's ref
  // still does after the finder dirtied the eb. Off (false) in every row
  // from v4.0 on, which is why rows that leave it out get the fix.
  bool find_ignores_stale = false;
  // v6.5+: read_extent_buffer_pages serializes readers with the
  // EXTENT_BUFFER_READING bit instead of page locks; the bio holds an eb
  // ref; completion is end_bbio_meta_read (extent_io_read_bit.cc).
  bool read_reading_bit = false;
  // v6.9 (the CVE-2024-35798 fix): after winning READING, re-test UPTODATE
  // and give READING back if another read completed meanwhile.
  bool read_recheck_uptodate = false;
  // check_buffer_tree_ref sets TREE_REF and takes its ref under refs_lock
  // (594831c4b232, 2013). false: the v3.4 lock-free inc / test_and_set_bit /
  // dec, which alloc_extent_buffer alone wraps in refs_lock.
  bool tree_ref_check_locked = true;
  // check_buffer_tree_ref returns early, lock-free, when refs >= 2 and
  // TREE_REF is set (present by v3.10-stable era sources; absent from the
  // 2013 fix as modelled, see docs/btrfs_eb.md). Both default to the v5.x
  // code, so rows that leave them out have both.
  bool tree_ref_check_fast_path = true;
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
