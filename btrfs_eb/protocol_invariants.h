// -----------------------------------------------------------------------------
// File: btrfs_eb/protocol_invariants.h
// -----------------------------------------------------------------------------
//
// The extent buffer protocol's invariants over one eb or one page: the
// reference ledger, "under writeback or dirty => the tree's ref", "dirty or
// under writeback => uptodate", "pages[] and page->private agree" and "I/O
// keeps the eb pinned" (docs/btrfs_eb.md, "Invariants of the protocol").
// invariants.cc runs them at every step (fiber backend only, where a step
// check sees the state between two instrumented operations) and at
// quiescence.
//
// Each one holds at every step of correct v5.7/v5.8 code; where the kernel
// updates two fields in two operations the check skips that window (the
// ledger while refs_lock is held) or runs only at quiescence
// (CheckQuiescentUptodate). An eb whose refs reached 0 (dead) is skipped:
// what is wrong with it is the kernel's own BUG_ON to report
// (btrfs_release_extent_buffer_pages.under_io) or eb.resurrect.
//
// Check names: eb.ledger, eb.writeback_tree_ref, eb.uptodate,
// eb.page_private, eb.io_pinned.
//
// Thread-safety: Peek*() reads only; call from step or quiescence checks.

#ifndef FAULTLINE_BTRFS_EB_PROTOCOL_INVARIANTS_H_
#define FAULTLINE_BTRFS_EB_PROTOCOL_INVARIANTS_H_

#include "btrfs_eb/extent_buffer.h"
#include "btrfs_eb/fs_info.h"
#include "btrfs_eb/page.h"

namespace faultline {
namespace btrfs_eb {

// eb.io_pinned, eb.ledger, eb.writeback_tree_ref, eb.uptodate and, if the
// eb is the one in its radix slot, eb.page_private for `eb`.
void CheckStepProtocol(const FsInfo& fs_info, const ExtentBuffer& eb);
// eb.page_private from a page's side: the live radix ebs that cover it or
// that its private points at.
void CheckStepPageProtocol(const FsInfo& fs_info, const Page& page);
// eb.uptodate at quiescence: an UPTODATE eb's pages are uptodate, except a
// page whose write failed (v5.8 clears PageUptodate there, not the eb bit).
void CheckQuiescentUptodate(const ExtentBuffer& eb);

}  // namespace btrfs_eb
}  // namespace faultline

#endif  // FAULTLINE_BTRFS_EB_PROTOCOL_INVARIANTS_H_
