// -----------------------------------------------------------------------------
// File: btrfs_eb/fault_sites.h
// -----------------------------------------------------------------------------
//
// The names of every fault point in the btrfs_eb model. These strings are API:
// plans (plans/*.textproto) arm rules on them, so a name never changes
// meaning; new sites get new names. Each constant documents the site kind
// (point / fail / error), where it sits in the kernel function it models, and
// what its key is.
//
// Keys: "bytenr" is the logical start of the extent buffer (eb->start);
// "page index" is the btree inode page index (bytenr >> page_shift).
//
// Example (a plan rule):
//   rules { point: "mm.trylock_page" probability: 0.5 tasks: "readahead"
//           fail {} }

#ifndef FAULTLINE_BTRFS_EB_FAULT_SITES_H_
#define FAULTLINE_BTRFS_EB_FAULT_SITES_H_

namespace faultline {
namespace btrfs_eb {

// --- mm (filemap.cc) -------------------------------------------------------

// fail, key = page index. trylock_page() reports "already locked" without
// looking at the lock (the seed recipe's H1, docs/btrfs_eb.md). Used by
// read_extent_buffer_pages (WAIT_NONE) and by the reclaim scan.
inline constexpr char kSiteTrylockPage[] = "mm.trylock_page";

// point, key = page index. folio_detach_private as the v6.8 grab_extent_buffer
// calls it (variant eb_2024_folio_prefix only): PG_private was seen set,
// before it is cleared and the private's page ref is put. The window of
// f3a5367c679d's double put.
inline constexpr char kSiteFolioDetachAfterTest[] =
    "mm.folio_detach_private.after_test";

// --- extent_io.c -----------------------------------------------------------

// point, key = bytenr. find_extent_buffer: after the RCU radix lookup found
// an eb, before atomic_inc_not_zero(refs).
inline constexpr char kSiteFindAfterLookup[] =
    "eb.find_extent_buffer.after_lookup";
// point, key = bytenr. find_extent_buffer: after inc_not_zero succeeded,
// before the STALE barrier and check_buffer_tree_ref.
inline constexpr char kSiteFindAfterInc[] = "eb.find_extent_buffer.after_inc";
// point, key = bytenr. alloc_extent_buffer: pages attached and still locked,
// before radix_tree_preload/insert.
inline constexpr char kSiteAllocBeforeInsert[] =
    "eb.alloc_extent_buffer.before_insert";
// error, key = bytenr. radix_tree_preload() fails with the plan's value
// (normally -ENOMEM, i.e. -12); alloc_extent_buffer then takes its FAIL path.
inline constexpr char kSiteRadixPreloadError[] = "eb.radix_preload.error";
// point, key = bytenr. read_extent_buffer_pages: all pages locked and
// num_reads counted, before io_pages is set.
inline constexpr char kSiteReadBeforeIoPages[] =
    "eb.read_extent_buffer_pages.before_io_pages";
// point, key = bytenr. read_extent_buffer_pages: right after io_pages was set
// (and, post-fix, after check_buffer_tree_ref), before pages are submitted.
inline constexpr char kSiteReadAfterIoPages[] =
    "eb.read_extent_buffer_pages.after_io_pages";
// point, key = bytenr. read_extent_buffer_pages, v6.5+ form: UPTODATE was
// seen clear, before test_and_set_bit(READING) (the CVE-2024-35798 window:
// another read may complete here).
inline constexpr char kSiteReadBeforeReadingBit[] =
    "eb.read_extent_buffer_pages.before_reading_bit";
// point, key = bytenr. try_release_extent_buffer: refs == 1 and not under io
// were seen and private_lock dropped; refs_lock held; before TREE_REF is
// test-and-cleared. The race window of the seed. REQUIRES of rules here:
// no hook that takes refs_lock/private_lock (the task holds them).
inline constexpr char kSiteTryReleaseAfterRefsCheck[] =
    "eb.try_release_extent_buffer.after_refs_check";
// point, key = bytenr. free_extent_buffer: fast path declined (refs <= 3),
// before refs_lock is taken.
inline constexpr char kSiteFreeBeforeRefsLock[] =
    "eb.free_extent_buffer.before_refs_lock";

// --- bio / completion (bio.cc) ---------------------------------------------

// error, key = bytenr (of the eb). Adding a page to a bio (submit_extent_page)
// fails. Read side: the page is marked PageError and unlocked and io_pages is
// dropped for it. Write side: write_one_eb's submit error
// branch (set_btree_ioerr, io_pages -= remaining pages).
inline constexpr char kSiteBioAddPageError[] = "bio.add_page.error";
// error, key = bytenr. The device completes the submitted bio with this
// error (e.g. -5 = -EIO); read completion then sets READ_ERR, write
// completion sets WRITE_ERR.
inline constexpr char kSiteBioSubmitError[] = "bio.submit.error";
// point, key = bytenr. Start of the completion task, before any page of the
// bio is completed: an I/O completion delay.
inline constexpr char kSiteBioEndIoBeforeComplete[] =
    "bio.end_io.before_complete";

// --- disk-io.c -------------------------------------------------------------

// point, key = bytenr. Entry of readahead_tree_block, before the lookup
// (reada_for_search has chosen the block). A delay here makes a task the
// late "loser" of the seed table (CPU0's lookup happens at step 8;
// docs/btrfs_eb.md).
inline constexpr char kSiteReadaheadStart[] = "eb.readahead_tree_block.start";
// point, key = bytenr. readahead_tree_block: eb found/created, before
// read_extent_buffer_pages(WAIT_NONE) (the seed recipe's H3).
inline constexpr char kSiteReadaheadBeforeRead[] =
    "eb.readahead_tree_block.before_read";

// --- reclaim.cc ------------------------------------------------------------

// point, key = page index. Reclaim holds the page lock and a page ref,
// before btree_releasepage (seed table step 4: the shrinker holds P).
inline constexpr char kSiteReclaimBeforeReleasepage[] =
    "reclaim.scan.before_releasepage";

}  // namespace btrfs_eb
}  // namespace faultline

#endif  // FAULTLINE_BTRFS_EB_FAULT_SITES_H_
