// Goal: the model reproduces the seed patch's interleaving (docs/btrfs_eb.md)
// step by step: pre-fix it reaches BUG_ON(under_io) in
// btrfs_release_extent_buffer_pages; post-fix the same steps end quiescent
// with refs 1, TREE_REF, io_pages 0 and UPTODATE.
// Method: one thread plays CPU0, CPU1 and CPU2 in the table's order. CPU2's
// try_release_extent_buffer is split at its fault point
// "eb.try_release_extent_buffer.after_refs_check" by a plan rule that
// triggers the test hook, which runs CPU0's lookup inside the window
// (steps 8-9). Bios are deferred so the completion runs where the test says.
#include <string>

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

// Steps 0-11 of the seed table; returns CPU0's eb after its read (step 11,
// or 11' post-fix), with CPU0's ref still held.
ExtentBuffer* RunStepsUpToCpu0Read(EbHarness& h) {
  FsInfo* fs = h.fs();
  h.WriteLeaf(kBlock);
  // 1-2. CPU1: alloc_extent_buffer inserts the eb, TREE_REF, refs 2.
  EbResult cpu1 = btrfs_find_create_tree_block(fs, kBlock);
  EXPECT_TRUE(cpu1.ok());
  ExtentBuffer* eb = cpu1.eb;
  EXPECT_EQ(eb->PeekRefs(), 2);
  EXPECT_TRUE(TreeRef(eb));
  Page* p = eb->PeekPage(0);
  // 4. CPU2 (shrinker) takes a ref on P and locks it.
  get_page(p);
  EXPECT_TRUE(trylock_page(p));
  // 3, 5. CPU1: not uptodate; trylock_page(P) fails -> unlock_exit, no I/O.
  EXPECT_EQ(read_extent_buffer_pages(eb, WAIT_NONE, 0), 0);
  EXPECT_EQ(eb->PeekIoPages(), 0);
  // 6. CPU1: free_extent_buffer 2 -> 1.
  free_extent_buffer(eb);
  EXPECT_EQ(eb->PeekRefs(), 1);
  // 7-10. CPU2: btree_releasepage sees refs == 1; in the window CPU0's
  // lookup takes refs 1 -> 2 and sees TREE_REF set (fast path, no action).
  ExtentBuffer* cpu0 = nullptr;
  h.SetStep([&] {
    EbResult r = btrfs_find_create_tree_block(fs, kBlock);
    cpu0 = r.eb;
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
  // 11. CPU0: trylock succeeds, io_pages = 1, bio submitted.
  EXPECT_EQ(read_extent_buffer_pages(cpu0, WAIT_NONE, 0), 0);
  EXPECT_EQ(cpu0->PeekIoPages(), 1);
  return cpu0;
}

TEST(SeedRace, ReproducesBeforeFix) {
  EbHarness h(SmallOptions(KernelVariant::kPreFix), kSplitTryRelease);
  ExtentBuffer* cpu0 = RunStepsUpToCpu0Read(h);
  EXPECT_EQ(cpu0->PeekRefs(), 1);  // no 11': nothing pins the eb
  EXPECT_FALSE(TreeRef(cpu0));
  // 12. CPU0: free_extent_buffer 1 -> 0 while the read is in flight.
  EXPECT_EQ(h.RunCatching([&] { free_extent_buffer(cpu0); }),
            "btrfs_release_extent_buffer_pages.under_io");
  EXPECT_EQ(cpu0->PeekRefs(), 0);
  EXPECT_EQ(h.fs()->buffer_radix()->Peek(kBlock >> 12), nullptr);
}

TEST(SeedRace, AbsentAfterFix) {
  EbHarness h(SmallOptions(KernelVariant::kPostFix), kSplitTryRelease);
  ExtentBuffer* cpu0 = RunStepsUpToCpu0Read(h);
  // 11'. check_buffer_tree_ref after io_pages: TREE_REF back, refs 2.
  EXPECT_EQ(cpu0->PeekRefs(), 2);
  EXPECT_TRUE(TreeRef(cpu0));
  // 12'. CPU0: free_extent_buffer 2 -> 1; the eb survives the I/O.
  EXPECT_EQ(h.RunCatching([&] { free_extent_buffer(cpu0); }), "");
  EXPECT_EQ(h.CompleteIo(), 1);
  EXPECT_EQ(cpu0->PeekRefs(), 1);
  EXPECT_TRUE(TreeRef(cpu0));
  EXPECT_EQ(cpu0->PeekIoPages(), 0);
  EXPECT_TRUE(cpu0->PeekFlag(EXTENT_BUFFER_UPTODATE));
  EXPECT_EQ(h.RunCatching([&] { CheckQuiescentInvariants(*h.fs()); }), "");
  EXPECT_TRUE(h.ViolationNames().empty());
}

// v1 of the fix (also re-checking in write_one_eb) closes the race the
// same way: its read side is the merged fix.
TEST(SeedRace, AbsentWithV1OfTheFix) {
  EbHarness h(SmallOptions(KernelVariant::kPostFixV1), kSplitTryRelease);
  ExtentBuffer* cpu0 = RunStepsUpToCpu0Read(h);
  EXPECT_EQ(cpu0->PeekRefs(), 2);
  EXPECT_TRUE(TreeRef(cpu0));
  EXPECT_EQ(h.RunCatching([&] { free_extent_buffer(cpu0); }), "");
  EXPECT_EQ(h.CompleteIo(), 1);
  EXPECT_EQ(h.RunCatching([&] { CheckQuiescentInvariants(*h.fs()); }), "");
  EXPECT_TRUE(h.ViolationNames().empty());
}

// With the BUG_ON demoted to a WARN the iteration continues: the eb is
// freed with its read in flight; the completion then finds page->private
// cleared and, on the success path, leaves the freed eb alone. The
// quiescent state still shows no eb for a cached, uptodate page.
TEST(SeedRace, BeforeFixWithWarnFreesEbUnderIo) {
  FsInfoOptions options = SmallOptions(KernelVariant::kPreFix);
  options.bug_on_under_io = false;
  EbHarness h(options, kSplitTryRelease);
  ExtentBuffer* cpu0 = RunStepsUpToCpu0Read(h);
  EXPECT_EQ(h.RunCatching([&] { free_extent_buffer(cpu0); }), "");
  EXPECT_EQ(h.CompleteIo(), 1);
  EXPECT_TRUE(cpu0->PeekFreed());
  ASSERT_EQ(h.ViolationNames().size(), 1u);
  EXPECT_EQ(h.ViolationNames()[0],
            "btrfs_release_extent_buffer_pages.under_io");
}

// The root-cause check (I-io-pinned) fires at step 11 before the crash.
TEST(SeedRace, IoPinnedWarnsAtSubmitBeforeFix) {
  FsInfoOptions options = SmallOptions(KernelVariant::kPreFix);
  options.check_io_pinned = true;
  EbHarness h(options, kSplitTryRelease);
  RunStepsUpToCpu0Read(h);
  ASSERT_EQ(h.ViolationNames().size(), 1u);
  EXPECT_EQ(h.ViolationNames()[0], "eb.io_pinned");
}

}  // namespace
}  // namespace btrfs_eb
}  // namespace faultline
