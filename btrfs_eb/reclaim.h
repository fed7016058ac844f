// -----------------------------------------------------------------------------
// File: btrfs_eb/reclaim.h
// -----------------------------------------------------------------------------
//
// Memory reclaim over the btree inode's pages, the way kswapd's
// shrink_page_list treats them (mm/vmscan.c, v5.8): take a
// ref, trylock the page, call btree_releasepage with the page locked, and
// evict it from the page cache if that succeeded. Only one page of a
// multi-page eb is locked at a time, as in the kernel.
//
// The hook "btrfs_eb.force_reclaim" runs the same code from a plan's
// trigger action. Its arg selects the pages:
//   ""        every page of the btree inode
//   "key"     the page whose index is the hit's site key
//   "bytenr"  the pages of the eb whose start is the hit's site key
//   "<n>"     page index n
// REQUIRES of the triggering site: the task holds no refs_lock,
// private_lock, buffer_lock or i_pages lock (trylock of a page it holds
// simply fails).
//
// Example:
//   rules { point: "eb.readahead_tree_block.before_read"
//           trigger { hook: "btrfs_eb.force_reclaim" arg: "bytenr" } }
//
// Thread-safety: may run concurrently with everything else.

#ifndef FAULTLINE_BTRFS_EB_RECLAIM_H_
#define FAULTLINE_BTRFS_EB_RECLAIM_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "btrfs_eb/fs_info.h"

namespace faultline {
namespace btrfs_eb {

// One page through shrink_page_list. True if it was evicted.
bool reclaim_btree_page(FsInfo* fs_info, uint64_t index);

// Scans page indices [first, last) once; returns the number evicted.
int shrink_btree_pages(FsInfo* fs_info, uint64_t first, uint64_t last);

struct PageRange {
  uint64_t first;
  uint64_t last;  // exclusive
};
// The force_reclaim arg (see above) resolved against a site key.
absl::StatusOr<PageRange> ParseReclaimArg(const FsInfo& fs_info,
                                          absl::string_view arg, uint64_t key);

}  // namespace btrfs_eb
}  // namespace faultline

#endif  // FAULTLINE_BTRFS_EB_RECLAIM_H_
