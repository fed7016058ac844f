// Goal: the seed race (seed_race_test.cc) on a multi-page extent buffer:
// nodesize 16 KiB on 4 KiB pages, so the eb has 4 pages. Reclaim works on
// one page, as btree_releasepage does: it locks only page 2 of the eb.
// CPU1's read_extent_buffer_pages locks pages 0 and 1, fails trylock_page
// on page 2 and unlocks the two it took (unlock_exit). Pre-fix the rest of
// the seed's steps reach BUG_ON(under_io) with io_pages 4; post-fix they end
// quiescent with refs 1, TREE_REF, io_pages 0 and UPTODATE.
// Method: as in seed_race_test.cc, one thread plays CPU0, CPU1 and CPU2;
// a plan rule at "eb.try_release_extent_buffer.after_refs_check" runs
// CPU0's lookup inside the releasepage window; bios are deferred.
#include "btrfs_eb/bio.h"
#include "btrfs_eb/disk_io.h"
#include "btrfs_eb/extent_io.h"
#include "btrfs_eb/invariants.h"
#include "btrfs_eb/page.h"
#include "framework/violation.h"
#include "gtest/gtest.h"
#include "tests/btrfs_eb/eb_harness.h"

namespace faultline {
namespace btrfs_eb {
namespace {

constexpr uint64_t kBlock = 65536;
constexpr int kPages = 4;
constexpr int kHeldPage = 2;  // the page reclaim locks

bool Locked(ExtentBuffer* eb, int i) {
  return eb->PeekPage(i)->flags.PeekBit(PG_locked);
}

// The seed's steps 0-11 on a 4-page eb; returns CPU0's eb after its read,
// with CPU0's ref still held.
ExtentBuffer* RunStepsUpToCpu0Read(EbHarness& h) {
  FsInfo* fs = h.fs();
  h.WriteLeaf(kBlock);
  // 1-2. CPU1: alloc_extent_buffer locks, attaches and unlocks 4 pages.
  EbResult cpu1 = btrfs_find_create_tree_block(fs, kBlock);
  EXPECT_TRUE(cpu1.ok());
  ExtentBuffer* eb = cpu1.eb;
  EXPECT_EQ(eb->num_pages(), kPages);
  EXPECT_EQ(eb->PeekRefs(), 2);
  EXPECT_TRUE(TreeRef(eb));
  for (int i = 0; i < kPages; ++i) EXPECT_FALSE(Locked(eb, i));
  // 4. CPU2 (shrinker) takes a ref on page 2 only and locks it.
  Page* p = eb->PeekPage(kHeldPage);
  get_page(p);
  EXPECT_TRUE(trylock_page(p));
  // 3, 5. CPU1: locks pages 0 and 1, trylock_page(page 2) fails ->
  // unlock_exit unlocks pages 1 and 0; no I/O.
  EXPECT_EQ(read_extent_buffer_pages(eb, WAIT_NONE, 0), 0);
  EXPECT_EQ(eb->PeekIoPages(), 0);
  for (int i = 0; i < kPages; ++i) EXPECT_EQ(Locked(eb, i), i == kHeldPage);
  // 6. CPU1: free_extent_buffer 2 -> 1.
  free_extent_buffer(eb);
  EXPECT_EQ(eb->PeekRefs(), 1);
  // 7-10. CPU2: btree_releasepage(page 2) sees refs == 1; in the window
  // CPU0's lookup takes refs 1 -> 2 and sees TREE_REF set.
  ExtentBuffer* cpu0 = nullptr;
  h.SetStep([&] {
    cpu0 = btrfs_find_create_tree_block(fs, kBlock).eb;
    EXPECT_EQ(cpu0, eb);
    EXPECT_EQ(eb->PeekRefs(), 2);
    EXPECT_TRUE(TreeRef(eb));
  });
  EXPECT_EQ(btree_releasepage(p), 0);
  EXPECT_EQ(cpu0, eb);
  EXPECT_EQ(eb->PeekRefs(), 1);
  EXPECT_FALSE(TreeRef(eb));  // CPU2 cleared it: the eb is unpinned
  unlock_page(p);
  put_page(p);
  // 11. CPU0: every trylock succeeds, io_pages = 4, one bio submitted.
  EXPECT_EQ(read_extent_buffer_pages(cpu0, WAIT_NONE, 0), 0);
  EXPECT_EQ(cpu0->PeekIoPages(), kPages);
  for (int i = 0; i < kPages; ++i) EXPECT_TRUE(Locked(cpu0, i));
  return cpu0;
}

TEST(SeedRaceMultiPage, ReproducesBeforeFix) {
  EbHarness h(MultiPageOptions(KernelVariant::kPreFix), kSplitTryRelease);
  ExtentBuffer* cpu0 = RunStepsUpToCpu0Read(h);
  EXPECT_EQ(cpu0->PeekRefs(), 1);
  EXPECT_FALSE(TreeRef(cpu0));
  // 12. CPU0: free_extent_buffer 1 -> 0 with 4 pages under read.
  EXPECT_EQ(h.RunCatching([&] { free_extent_buffer(cpu0); }),
            "btrfs_release_extent_buffer_pages.under_io");
  EXPECT_EQ(cpu0->PeekRefs(), 0);
  EXPECT_EQ(h.fs()->buffer_radix()->Peek(kBlock >> 12), nullptr);
}

TEST(SeedRaceMultiPage, AbsentAfterFix) {
  EbHarness h(MultiPageOptions(KernelVariant::kPostFix), kSplitTryRelease);
  ExtentBuffer* cpu0 = RunStepsUpToCpu0Read(h);
  // 11'. check_buffer_tree_ref after io_pages: TREE_REF back, refs 2.
  EXPECT_EQ(cpu0->PeekRefs(), 2);
  EXPECT_TRUE(TreeRef(cpu0));
  EXPECT_EQ(h.RunCatching([&] { free_extent_buffer(cpu0); }), "");
  EXPECT_EQ(h.CompleteIo(), 1);  // all 4 pages in one bio
  EXPECT_EQ(cpu0->PeekRefs(), 1);
  EXPECT_TRUE(TreeRef(cpu0));
  EXPECT_EQ(cpu0->PeekIoPages(), 0);
  EXPECT_TRUE(cpu0->PeekFlag(EXTENT_BUFFER_UPTODATE));
  for (int i = 0; i < kPages; ++i) EXPECT_FALSE(Locked(cpu0, i));
  EXPECT_EQ(h.RunCatching([&] { CheckQuiescentInvariants(*h.fs()); }), "");
  EXPECT_TRUE(h.ViolationNames().empty());
}

}  // namespace
}  // namespace btrfs_eb
}  // namespace faultline
