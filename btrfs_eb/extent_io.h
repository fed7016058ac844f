// -----------------------------------------------------------------------------
// File: btrfs_eb/extent_io.h
// -----------------------------------------------------------------------------
//
// The extent buffer lifecycle of fs/btrfs/extent_io.c, v5.4-v5.9:
// allocation and lookup in the buffer radix tree, the TREE_REF
// protocol, reads, reference drops and release, releasepage support, and the
// write side (extent_io_write.cc). Function names and argument order follow
// the kernel; every function's comment names the kernel function it models,
// and docs/btrfs_eb.md describes each one branch by branch.
//
// Reference rules: refs starts at 1 (the allocating caller's);
// one unit belongs to "the tree" iff TREE_REF is set. A function that returns
// an eb gives the caller one ref, dropped with free_extent_buffer (or
// free_extent_buffer_stale).
//
// Example:
//   EbResult r = alloc_extent_buffer(fs_info, bytenr);
//   if (!r.ok()) return r.error;
//   read_extent_buffer_pages(r.eb, WAIT_NONE, 0);
//   free_extent_buffer(r.eb);
//
// Thread-safety: every function may run concurrently with every other; the
// locks each one takes are listed in its comment.

#ifndef FAULTLINE_BTRFS_EB_EXTENT_IO_H_
#define FAULTLINE_BTRFS_EB_EXTENT_IO_H_

#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "btrfs_eb/extent_buffer.h"
#include "btrfs_eb/fs_info.h"
#include "btrfs_eb/page.h"

namespace faultline {
namespace btrfs_eb {

// An ERR_PTR-style result: an eb with one ref for the caller, or -errno.
struct EbResult {
  ExtentBuffer* eb = nullptr;
  int error = 0;
  bool ok() const { return eb != nullptr; }
};

// --- Allocation and lookup.
ExtentBuffer* __alloc_extent_buffer(FsInfo* fs_info, uint64_t start,
                                    uint32_t len);
void check_buffer_tree_ref(ExtentBuffer* eb)
    ABSL_LOCKS_EXCLUDED(eb->refs_lock());
// The v3.4 form the 2013 variants run (no refs_lock of its own;
// alloc_extent_buffer of that era calls it with refs_lock held).
void check_buffer_tree_ref_v3_4(ExtentBuffer* eb);
void mark_extent_buffer_accessed(ExtentBuffer* eb, Page* accessed_page);
ExtentBuffer* find_extent_buffer(FsInfo* fs_info, uint64_t start);
EbResult alloc_extent_buffer(FsInfo* fs_info, uint64_t start);
// REQUIRES: the page's mapping->private_lock held.
void attach_extent_buffer_page(ExtentBuffer* eb, Page* page)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(page->address_space->private_lock);
// grab_extent_buffer as v6.8-v6.9 call it before f3a5367c679d (variant
// eb_2024_folio_prefix), without private_lock: the live eb that owns the
// locked page `page`, with a new ref; else nullptr, after detaching a dying
// eb's private (extent_io_grab.cc).
ExtentBuffer* grab_extent_buffer_unlocked(Page* page);

// --- State.
bool extent_buffer_under_io(ExtentBuffer* eb);
void set_extent_buffer_uptodate(ExtentBuffer* eb);
void clear_extent_buffer_uptodate(ExtentBuffer* eb);

// --- Reads. Returns 0 or -errno.
int read_extent_buffer_pages(ExtentBuffer* eb, int wait, int mirror_num);
// The v6.5+ form (extent_io_read_bit.cc), which read_extent_buffer_pages
// runs when behaviour().read_reading_bit.
int read_extent_buffer_pages_reading_bit(ExtentBuffer* eb, int wait);
// Its completion (v6.8 name; extent_buffer_read_end_io in v6.5-v6.7).
void end_bbio_meta_read(FsInfo* fs_info, struct Bio* bio);

// --- Reference drops and release.
void free_extent_buffer(ExtentBuffer* eb) ABSL_LOCKS_EXCLUDED(eb->refs_lock());
void free_extent_buffer_stale(ExtentBuffer* eb)
    ABSL_LOCKS_EXCLUDED(eb->refs_lock());
// REQUIRES: eb->refs_lock held; releases it (the kernel's
// __releases(&eb->refs_lock)). 1 if the eb was torn down.
int release_extent_buffer(ExtentBuffer* eb)
    ABSL_UNLOCK_FUNCTION(eb->refs_lock());
void btrfs_release_extent_buffer_pages(ExtentBuffer* eb);
void btrfs_release_extent_buffer(ExtentBuffer* eb);
// REQUIRES: `page` locked by the caller. 1 if the page may be freed.
int try_release_extent_buffer(Page* page)
    ABSL_LOCKS_EXCLUDED(page->address_space->private_lock);

// --- Write side (extent_io_write.cc).
// Returns whether the eb was already dirty.
bool set_extent_buffer_dirty(ExtentBuffer* eb);
void clear_extent_buffer_dirty(ExtentBuffer* eb);
// 1: eb moved DIRTY -> WRITEBACK and its pages are locked; 0: nothing to
// write. REQUIRES: caller holds a ref.
int lock_extent_buffer_for_io(ExtentBuffer* eb);
// Submits the write; pages end up unlocked. 0 or -errno.
int write_one_eb(ExtentBuffer* eb);
void end_extent_buffer_writeback(ExtentBuffer* eb);
// Write completion of one bio (per page: io_pages--, end page writeback).
void end_bio_extent_buffer_writepage(FsInfo* fs_info, struct Bio* bio);
// btree_write_cache_pages over page indices [first, last) (the range form
// used by filemap_fdatawrite_range from btrfs_write_marked_extents): writes
// every dirty eb with a page in the range. Returns the number written.
int btree_write_cache_pages(FsInfo* fs_info, uint64_t first, uint64_t last);

// --- Content access (read_extent_buffer / write_extent_buffer).
void read_extent_buffer(ExtentBuffer* eb, void* dst, uint64_t offset,
                        uint64_t len);
void write_extent_buffer(ExtentBuffer* eb, const void* src, uint64_t offset,
                         uint64_t len);

// Notes `text` plus the eb's refs/io_pages/flags in the trace.
void NoteEb(ExtentBuffer* eb, const char* text);

}  // namespace btrfs_eb
}  // namespace faultline

#endif  // FAULTLINE_BTRFS_EB_EXTENT_IO_H_
