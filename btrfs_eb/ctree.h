// -----------------------------------------------------------------------------
// File: btrfs_eb/ctree.h
// -----------------------------------------------------------------------------
//
// A small two-level b-tree on the simulated disk and the search code of
// fs/btrfs/ctree.c that drives readahead (v5.7/v5.8): btrfs_search_slot
// -> read_block_for_search -> reada_for_search -> readahead_tree_block. Two
// searches walking the same level-1 node issue readahead for the same
// sibling leaves: the CPU0/CPU1 pair of the 2020 race. The writer side
// (btrfs_cow_leaf) copies a leaf to a new block, repoints the root, frees
// the old block as STALE and writes the new blocks back.
//
// MODEL: the tree has exactly two levels (a root node over leaves); keys are
// plain u64 (the objectid); the root is pinned at mount and modified in
// place (never COWed); freed blocks are not reused within an iteration, so
// an old pointer always reaches a valid (if stale) block.
//
// Example:
//   TreeLayout* tree = world.Make<TreeLayout>(MakeTree(fs, 4, 8));
//   btrfs_mount_root(fs, tree->root_bytenr);
//   BtrfsPath path;
//   path.reada = READA_FORWARD;
//   int ret = btrfs_search_slot(fs, key, &path);  // 0 found, 1 not, <0 err
//   btrfs_release_path(&path);
//
// Thread-safety: searches and one writer may run concurrently.

#ifndef FAULTLINE_BTRFS_EB_CTREE_H_
#define FAULTLINE_BTRFS_EB_CTREE_H_

#include <atomic>
#include <cstdint>
#include <vector>

#include "btrfs_eb/extent_buffer.h"
#include "btrfs_eb/fs_info.h"

namespace faultline {
namespace btrfs_eb {

enum ReadaDirection { READA_NONE = 0, READA_BACK, READA_FORWARD };

// What mkfs put on the disk.
struct TreeLayout {
  uint64_t root_bytenr = 0;
  std::vector<uint64_t> leaves;  // initial leaf bytenrs, in key order
  uint64_t items_per_leaf = 0;
  // MODEL: the extent allocator is a bump pointer over never-used blocks.
  std::atomic<uint64_t> next_free_bytenr{0};
  uint64_t end_bytenr = 0;
  // A free block for a COW, or 0 when the disk is full.
  uint64_t AllocBlock(uint32_t nodesize);
};

// The payload mkfs stores for `key` (searches check what they find).
inline uint64_t LeafValueOf(uint64_t key) { return key * 7 + 3; }

// mkfs: block 0 is left for the superblock, block 1 is the root node, then
// `nr_leaves` leaves with `items_per_leaf` consecutive keys each; the rest
// of the disk is free for COW.
void MakeTree(FsInfo* fs_info, int nr_leaves, int items_per_leaf,
              TreeLayout* layout);

struct BtrfsPath {
  ExtentBuffer* nodes[2] = {nullptr, nullptr};  // [0] leaf, [1] root
  int slots[2] = {0, 0};
  ReadaDirection reada = READA_NONE;
};

// btrfs_release_path: drops the path's refs.
void btrfs_release_path(BtrfsPath* path);

// Header and item accessors (ctree.h's btrfs_header_* / btrfs_node_*).
// REQUIRES: the eb is uptodate; the caller holds its content lock if a
// writer may change it.
int btrfs_header_level(ExtentBuffer* eb);
uint32_t btrfs_header_nritems(ExtentBuffer* eb);
uint64_t btrfs_item_key(ExtentBuffer* eb, int slot);
uint64_t btrfs_node_blockptr(ExtentBuffer* eb, int slot);  // also leaf value
void btrfs_set_node_blockptr(ExtentBuffer* eb, int slot, uint64_t value);
void btrfs_set_header_bytenr(ExtentBuffer* eb, uint64_t bytenr);

// reada_for_search.
void reada_for_search(FsInfo* fs_info, BtrfsPath* path, int level, int slot,
                      uint64_t objectid);
// read_block_for_search: 0 with *eb_ret = the child (ref in
// the caller's hands), -EAGAIN after reading it (path released: restart),
// or -EIO.
int read_block_for_search(FsInfo* fs_info, BtrfsPath* path,
                          ExtentBuffer** eb_ret, int level, int slot,
                          uint64_t key);
// btrfs_search_slot, read-only: 0 if `key` was found (the path
// holds the leaf and slot), 1 if not, <0 on error.
int btrfs_search_slot(FsInfo* fs_info, uint64_t key, BtrfsPath* path);

// The writer: COWs the leaf holding `key` (btrfs_cow_block +
// btrfs_free_tree_block + a commit's btrfs_write_marked_extents). 0, or
// -ENOSPC when no free block is left, or a read error.
int btrfs_cow_leaf(FsInfo* fs_info, TreeLayout* layout, uint64_t key);

}  // namespace btrfs_eb
}  // namespace faultline

#endif  // FAULTLINE_BTRFS_EB_CTREE_H_
