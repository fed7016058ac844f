// -----------------------------------------------------------------------------
// File: btrfs_eb/disk_io.h
// -----------------------------------------------------------------------------
//
// The btree inode's I/O hooks and read entry points of fs/btrfs/disk-io.c
// (v5.8) and reada.c: read-completion
// validation, releasepage, readahead, synchronous tree block reads, and the
// mount-time read of the tree root.
//
// Example:
//   readahead_tree_block(fs_info, bytenr);          // WAIT_NONE, drops ref
//   EbResult r = read_tree_block(fs_info, bytenr);  // WAIT_COMPLETE
//   if (r.ok()) { ...; free_extent_buffer(r.eb); }
//
// Thread-safety: every function may run concurrently with every other.

#ifndef FAULTLINE_BTRFS_EB_DISK_IO_H_
#define FAULTLINE_BTRFS_EB_DISK_IO_H_

#include <cstdint>

#include "btrfs_eb/extent_buffer.h"
#include "btrfs_eb/extent_io.h"
#include "btrfs_eb/fs_info.h"
#include "btrfs_eb/page.h"

namespace faultline {
namespace btrfs_eb {

// btree_readpage_end_io_hook: 0 or -errno. Takes a
// temporary ref with a plain atomic_inc (reported as "eb.resurrect" if refs
// was 0) and validates the block when the last page arrives.
int btree_readpage_end_io_hook(FsInfo* fs_info, Page* page, int mirror);

// Header, checksum and tree-checker validation of the eb's whole block, as
// the read completion runs it: 0 or -errno; a leaf the tree-checker rejects
// also gets CORRUPT.
int ValidateTreeBlock(ExtentBuffer* eb);

// btree_io_failed_hook: READ_ERR, io_pages--.
int btree_io_failed_hook(Page* page, int failed_mirror);
// btree_readahead_hook: notifies the reada.c framework. MODEL: the
// framework itself is not modelled; this only notes the event.
void btree_readahead_hook(ExtentBuffer* eb, int err);

// btree_releasepage. REQUIRES: page locked by the caller.
int btree_releasepage(Page* page);

// btrfs_find_create_tree_block: alloc_extent_buffer.
EbResult btrfs_find_create_tree_block(FsInfo* fs_info, uint64_t bytenr);
// readahead_tree_block: WAIT_NONE read, then drops the ref
// while the read may still be in flight.
void readahead_tree_block(FsInfo* fs_info, uint64_t bytenr);
// reada_tree_block_flagged: READAHEAD + WAIT_PAGE_LOCK. 0 with *eb = the eb
// (with a ref) if it is uptodate, 0 with *eb untouched if not yet, -errno
// if the read failed or the block is CORRUPT (the eb is stale-freed).
int reada_tree_block_flagged(FsInfo* fs_info, uint64_t bytenr, int mirror_num,
                             ExtentBuffer** eb);
// btree_read_extent_buffer_pages: WAIT_COMPLETE reads over the mirrors.
int btree_read_extent_buffer_pages(ExtentBuffer* eb);
// btrfs_read_buffer: btree_read_extent_buffer_pages for a found eb.
int btrfs_read_buffer(ExtentBuffer* eb);
// read_tree_block: the eb with the caller's ref, or -errno
// (the eb is stale-freed on failure).
EbResult read_tree_block(FsInfo* fs_info, uint64_t bytenr);
// btrfs_clean_tree_block: clears DIRTY of a block about to be freed.
void btrfs_clean_tree_block(ExtentBuffer* eb);

// MODEL: open_ctree's read of the tree root. Builds the root's eb directly
// from the disk (in the radix tree, TREE_REF, UPTODATE) with one extra ref
// held by the fs (FsInfo::root_node), without fault points or scheduling,
// because it runs while the world is built, before any task exists.
// Returns 0 or -errno (checksum failure).
int btrfs_mount_root(FsInfo* fs_info, uint64_t bytenr);

}  // namespace btrfs_eb
}  // namespace faultline

#endif  // FAULTLINE_BTRFS_EB_DISK_IO_H_
