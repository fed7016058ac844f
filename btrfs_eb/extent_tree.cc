// Tree block allocation with reuse (see extent_tree.h).
#include "btrfs_eb/extent_tree.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "btrfs_eb/disk.h"
#include "btrfs_eb/disk_io.h"
#include "framework/runtime/this_task.h"

namespace faultline {
namespace btrfs_eb {

using this_task::Note;

uint64_t FreeSpace::Alloc() {
  SpinLockGuard guard(&lock_);
  if (!freed_.empty()) {
    const uint64_t bytenr = freed_.back();
    freed_.pop_back();
    return bytenr;
  }
  if (next_ + nodesize_ > end_) return 0;
  const uint64_t bytenr = next_;
  next_ += nodesize_;
  return bytenr;
}

void FreeSpace::Free(uint64_t bytenr) {
  SpinLockGuard guard(&lock_);
  freed_.push_back(bytenr);
}

EbResult btrfs_init_new_buffer(FsInfo* fs_info, uint64_t bytenr) {
  EbResult r = btrfs_find_create_tree_block(fs_info, bytenr);
  if (!r.ok()) return r;
  ExtentBuffer* buf = r.eb;
  // The block may be a freed one whose old eb is still cached: the eb is
  // live again.
  buf->bflags().clear_bit(EXTENT_BUFFER_STALE);
  std::vector<uint8_t> block(buf->len());
  FormatTreeBlock(block.data(), buf->len(), bytenr, /*generation=*/2,
                  /*level=*/0, {});
  buf->lock().Lock();
  write_extent_buffer(buf, block.data(), 0, block.size());
  set_extent_buffer_uptodate(buf);
  set_extent_buffer_dirty(buf);
  buf->lock().Unlock();
  NoteEb(buf, "btrfs_init_new_buffer: new leaf, DIRTY");
  return r;
}

EbResult btrfs_alloc_tree_block(FsInfo* fs_info, FreeSpace* space) {
  const uint64_t bytenr = space->Alloc();
  if (bytenr == 0) return {nullptr, -28};  // -ENOSPC
  Note(absl::StrCat("btrfs_alloc_tree_block: block ", bytenr));
  return btrfs_init_new_buffer(fs_info, bytenr);
}

void btrfs_del_leaf(FreeSpace* space, ExtentBuffer* leaf) {
  leaf->lock().Lock();
  btrfs_clean_tree_block(leaf);
  leaf->lock().Unlock();
  space->Free(leaf->start());  // btrfs_free_tree_block: not pinned
  Note(absl::StrCat("btrfs_free_tree_block: block ", leaf->start(),
                    " back to free space"));
  free_extent_buffer_stale(leaf);
}

}  // namespace btrfs_eb
}  // namespace faultline
