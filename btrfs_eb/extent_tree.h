// -----------------------------------------------------------------------------
// File: btrfs_eb/extent_tree.h
// -----------------------------------------------------------------------------
//
// Tree block allocation with reuse (fs/btrfs/extent-tree.c, v3.19-v4.0): a
// block freed in the transaction that allocated it, and never written, goes
// straight back to the free space cache (btrfs_free_tree_block ->
// btrfs_add_free_space), and the next allocation may return it while the
// freed block's STALE eb is still cached. That reuse is what the 2015
// stale-reuse race needs (docs/btrfs_eb.md, "The 2015 stale-reuse race").
// TreeLayout's bump allocator (ctree.h) never reuses a block; only the
// btrfs_eb.stale_reuse scenario uses this one.
//
// Example:
//   FreeSpace* space = world.Make<FreeSpace>(first, end, fs->nodesize());
//   EbResult r = btrfs_alloc_tree_block(fs, space);  // eb DIRTY, caller ref
//   ...
//   btrfs_del_leaf(space, r.eb);                     // drops the caller ref
//
// Thread-safety: FreeSpace is guarded by its own spinlock.

#ifndef FAULTLINE_BTRFS_EB_EXTENT_TREE_H_
#define FAULTLINE_BTRFS_EB_EXTENT_TREE_H_

#include <cstdint>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "btrfs_eb/extent_io.h"
#include "btrfs_eb/fs_info.h"
#include "framework/runtime/spin_lock.h"

namespace faultline {
namespace btrfs_eb {

// MODEL: the free space cache of the metadata block group, reduced to the
// blocks freed back into it (reused last-freed first, as find_free_extent
// finds the lowest free offset and the scenario frees one block) and a bump
// pointer over never-used blocks in [first, end).
class FreeSpace {
 public:
  FreeSpace(uint64_t first, uint64_t end, uint32_t nodesize)
      : next_(first), end_(end), nodesize_(nodesize) {}

  // find_free_extent: a freed block if there is one, else a never-used one,
  // else 0 (-ENOSPC).
  uint64_t Alloc();
  // btrfs_add_free_space for one block.
  void Free(uint64_t bytenr);

 private:
  SpinLock lock_{"free_space.lock"};
  std::vector<uint64_t> freed_ ABSL_GUARDED_BY(lock_);
  uint64_t next_ ABSL_GUARDED_BY(lock_);
  const uint64_t end_;
  const uint32_t nodesize_;
};

// btrfs_init_new_buffer: the eb for a newly allocated block (found in the
// cache if the block was freed and reused), STALE cleared, an empty leaf
// header written under the tree lock, UPTODATE and DIRTY. The caller holds
// the returned ref.
EbResult btrfs_init_new_buffer(FsInfo* fs_info, uint64_t bytenr);

// btrfs_alloc_tree_block: FreeSpace::Alloc + btrfs_init_new_buffer;
// -ENOSPC when the space is full.
EbResult btrfs_alloc_tree_block(FsInfo* fs_info, FreeSpace* space);

// The end of btrfs_del_leaf (ctree.c) for a leaf allocated in this
// transaction: clean_tree_block, btrfs_free_tree_block (the block goes back
// to `space` at once: it was never written) and free_extent_buffer_stale,
// which drops the caller's ref. MODEL: the kernel takes one more ref
// (extent_buffer_get) for the stale free and drops the path's ref later in
// btrfs_release_path; here the caller's one ref plays both.
void btrfs_del_leaf(FreeSpace* space, ExtentBuffer* leaf);

}  // namespace btrfs_eb
}  // namespace faultline

#endif  // FAULTLINE_BTRFS_EB_EXTENT_TREE_H_
