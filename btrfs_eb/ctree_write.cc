// The model's writer: COW of a leaf (__btrfs_cow_block in fs/btrfs/ctree.c,
// btrfs_init_new_buffer / btrfs_free_tree_block in extent-tree.c) and the
// commit-time write of the dirtied blocks (btrfs_write_marked_extents ->
// btree_write_cache_pages). It is what makes every TREE_REF-clearing path
// real: STALE frees, DIRTY and WRITEBACK ebs that releasepage must refuse.
#include <vector>

#include "absl/strings/str_cat.h"
#include "btrfs_eb/ctree.h"
#include "btrfs_eb/disk.h"
#include "btrfs_eb/disk_io.h"
#include "btrfs_eb/extent_io.h"
#include "framework/runtime/this_task.h"

namespace faultline {
namespace btrfs_eb {
namespace {

using this_task::Note;

// btrfs_init_new_buffer + copy_extent_buffer: a new uptodate, dirty eb at
// `bytenr` with the contents of `old`.
EbResult CopyToNewBlock(FsInfo* fs_info, ExtentBuffer* old, uint64_t bytenr) {
  EbResult r = btrfs_find_create_tree_block(fs_info, bytenr);
  if (!r.ok()) return r;
  std::vector<uint8_t> block(old->len());
  old->lock().Lock();
  read_extent_buffer(old, block.data(), 0, block.size());
  old->lock().Unlock();
  r.eb->lock().Lock();
  write_extent_buffer(r.eb, block.data(), 0, block.size());
  btrfs_set_header_bytenr(r.eb, bytenr);
  set_extent_buffer_uptodate(r.eb);
  set_extent_buffer_dirty(r.eb);
  r.eb->lock().Unlock();
  return r;
}

// btrfs_write_marked_extents for one block.
void WriteBlock(FsInfo* fs_info, ExtentBuffer* eb) {
  const uint64_t first = eb->start() >> fs_info->page_shift();
  btree_write_cache_pages(fs_info, first, first + eb->num_pages());
}

}  // namespace

int btrfs_cow_leaf(FsInfo* fs_info, TreeLayout* layout, uint64_t key) {
  BtrfsPath path;
  const int ret = btrfs_search_slot(fs_info, key, &path);
  if (ret < 0) return ret;
  ExtentBuffer* root = path.nodes[1];
  ExtentBuffer* old = path.nodes[0];
  path.nodes[0] = nullptr;  // the path's ref on `old` is ours now
  const uint64_t bytenr = layout->AllocBlock(fs_info->nodesize());
  if (bytenr == 0) {
    free_extent_buffer(old);
    btrfs_release_path(&path);
    return -28;  // -ENOSPC
  }
  EbResult cow = CopyToNewBlock(fs_info, old, bytenr);
  if (!cow.ok()) {
    free_extent_buffer(old);
    btrfs_release_path(&path);
    return cow.error;
  }
  Note(absl::StrCat("cow: leaf ", old->start(), " -> ", bytenr));
  // MODEL: the root is changed in place, possibly while its previous write
  // is in flight; the kernel would COW it (should_cow_block: its header is
  // WRITTEN in this transaction). The write's data left the pages when its
  // bio was submitted (bio.cc), so the change cannot tear that write, and
  // DIRTY is set again under the tree lock as set_extent_buffer_dirty does.
  root->lock().Lock();
  btrfs_set_node_blockptr(root, path.slots[1], bytenr);
  set_extent_buffer_dirty(root);
  root->lock().Unlock();
  btrfs_clean_tree_block(old);  // btrfs_free_tree_block
  free_extent_buffer_stale(old);
  btrfs_release_path(&path);
  WriteBlock(fs_info, cow.eb);
  WriteBlock(fs_info, fs_info->root_node);
  free_extent_buffer(cow.eb);
  return 0;
}

}  // namespace btrfs_eb
}  // namespace faultline
