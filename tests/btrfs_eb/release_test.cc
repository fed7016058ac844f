// Goal: every reference-drop and release path takes the
// kernel's branch (docs/btrfs_eb.md): the free fast and slow paths, STALE
// handling, release to zero (radix delete, page refs, RCU free), try_release's
// refusals, btree_releasepage, and the model's detection of release under
// io, use after free and double free.
// Method: single task with the EbHarness; ebs are put in the exact state a
// branch needs through the model's own functions where possible.
#include "btrfs_eb/disk_io.h"
#include "btrfs_eb/extent_io.h"
#include "btrfs_eb/page.h"
#include "gtest/gtest.h"
#include "tests/btrfs_eb/eb_harness.h"

namespace faultline {
namespace btrfs_eb {
namespace {

constexpr uint64_t kBlock = 65536;

ExtentBuffer* Alloc(EbHarness& h) {
  EbResult r = alloc_extent_buffer(h.fs(), kBlock);
  EXPECT_TRUE(r.ok());
  return r.eb;
}

TEST(FreeExtentBuffer, FastPathAboveThreeRefs) {
  EbHarness h(SmallOptions());
  ExtentBuffer* eb = Alloc(h);
  find_extent_buffer(h.fs(), kBlock);
  find_extent_buffer(h.fs(), kBlock);
  ASSERT_EQ(eb->PeekRefs(), 4);
  free_extent_buffer(eb);
  EXPECT_EQ(eb->PeekRefs(), 3);
  free_extent_buffer(eb);
  free_extent_buffer(eb);
  EXPECT_EQ(eb->PeekRefs(), 1);  // only the tree's ref remains
  EXPECT_TRUE(eb->PeekFlag(EXTENT_BUFFER_TREE_REF));
}

TEST(FreeExtentBuffer, NullIsNoop) {
  EbHarness h(SmallOptions());
  free_extent_buffer(nullptr);
  free_extent_buffer_stale(nullptr);
}

TEST(FreeExtentBuffer, LastRefReleasesEverything) {
  EbHarness h(MultiPageOptions());
  ExtentBuffer* eb = Alloc(h);
  free_extent_buffer(eb);  // caller's ref: 2 -> 1
  EXPECT_EQ(eb->PeekRefs(), 1);
  eb->bflags().clear_bit(EXTENT_BUFFER_TREE_REF);  // give the tree's ref away
  free_extent_buffer(eb);                          // 1 -> 0
  EXPECT_EQ(eb->PeekRefs(), 0);
  EXPECT_TRUE(eb->PeekDead());
  EXPECT_FALSE(eb->PeekFlag(EXTENT_BUFFER_IN_TREE));
  EXPECT_EQ(h.fs()->buffer_radix()->Peek(kBlock >> 12), nullptr);
  for (int i = 0; i < 4; ++i) {
    Page* p = eb->PeekPage(i);
    EXPECT_FALSE(p->flags.PeekBit(PG_private));
    EXPECT_EQ(p->refcount.Peek(), 1);  // page cache only
  }
  h.CompleteIo();  // RCU grace period ends
  EXPECT_TRUE(eb->PeekFreed());
}

TEST(FreeExtentBuffer, StaleWithTwoRefsDropsTreeRef) {
  EbHarness h(SmallOptions());
  ExtentBuffer* eb = Alloc(h);
  eb->bflags().set_bit(EXTENT_BUFFER_STALE);
  free_extent_buffer(eb);  // refs 2, STALE, idle: tree ref and ours go
  EXPECT_EQ(eb->PeekRefs(), 0);
  EXPECT_FALSE(eb->PeekFlag(EXTENT_BUFFER_TREE_REF));
}

TEST(FreeExtentBufferStale, DropsTreeRefAndCallerRef) {
  EbHarness h(SmallOptions());
  ExtentBuffer* eb = Alloc(h);
  free_extent_buffer_stale(eb);
  EXPECT_EQ(eb->PeekRefs(), 0);
  EXPECT_TRUE(eb->PeekFlag(EXTENT_BUFFER_STALE));
  EXPECT_EQ(h.fs()->buffer_radix()->Peek(kBlock >> 12), nullptr);
}

TEST(FreeExtentBufferStale, KeepsTreeRefWhileUnderIo) {
  EbHarness h(SmallOptions());
  h.WriteLeaf(kBlock);
  ExtentBuffer* eb = Alloc(h);
  ASSERT_EQ(read_extent_buffer_pages(eb, WAIT_NONE, 0), 0);  // io_pages 1
  free_extent_buffer_stale(eb);
  EXPECT_EQ(eb->PeekRefs(), 1);
  EXPECT_TRUE(eb->PeekFlag(EXTENT_BUFFER_TREE_REF));
  // The completion's own free_extent_buffer sees refs 2, STALE and no io:
  // it drops the tree's ref, and the eb goes with the I/O's end.
  EXPECT_EQ(h.CompleteIo(), 1);
  EXPECT_EQ(eb->PeekRefs(), 0);
  EXPECT_TRUE(eb->PeekFreed());
}

TEST(FreeExtentBufferStale, KeepsTreeRefWithOtherUsers) {
  EbHarness h(SmallOptions());
  ExtentBuffer* eb = Alloc(h);
  find_extent_buffer(h.fs(), kBlock);  // refs 3
  free_extent_buffer_stale(eb);
  EXPECT_EQ(eb->PeekRefs(), 2);
  EXPECT_TRUE(eb->PeekFlag(EXTENT_BUFFER_TREE_REF));
  free_extent_buffer(eb);  // refs 2 and STALE: now the tree ref goes too
  EXPECT_EQ(eb->PeekRefs(), 0);
}

TEST(ReleaseExtentBufferPages, BugOnUnderIo) {
  EbHarness h(SmallOptions());
  h.WriteLeaf(kBlock);
  ExtentBuffer* eb = Alloc(h);
  ASSERT_EQ(read_extent_buffer_pages(eb, WAIT_NONE, 0), 0);
  eb->bflags().clear_bit(EXTENT_BUFFER_TREE_REF);
  eb->refs().Dec();  // as if reclaim had dropped the tree's ref
  EXPECT_EQ(h.RunCatching([&] { free_extent_buffer(eb); }),
            "btrfs_release_extent_buffer_pages.under_io");
}

TEST(ReleaseExtentBufferPages, PageTakenOverByNewerEbIsLeftAlone) {
  EbHarness h(SmallOptions());
  ExtentBuffer* old_eb = __alloc_extent_buffer(h.fs(), kBlock, 4096);
  ExtentBuffer* new_eb = Alloc(h);
  old_eb->page(0) = new_eb->PeekPage(0);
  get_page(old_eb->page(0));  // old_eb's allocation ref
  old_eb->refs().Set(0);
  btrfs_release_extent_buffer(old_eb);
  EXPECT_EQ(new_eb->PeekPage(0)->private_ptr.Peek(),
            static_cast<void*>(new_eb));
  EXPECT_EQ(new_eb->PeekPage(0)->refcount.Peek(), 3);
}

TEST(TryReleaseExtentBuffer, PageWithoutPrivateMayGo) {
  EbHarness h(SmallOptions());
  Page* p = find_or_create_page(h.fs()->btree_mapping(), 3);
  EXPECT_EQ(try_release_extent_buffer(p), 1);
  unlock_page(p);
  put_page(p);
}

TEST(TryReleaseExtentBuffer, RefusesWithUserRefs) {
  EbHarness h(SmallOptions());
  ExtentBuffer* eb = Alloc(h);  // refs 2
  Page* p = eb->PeekPage(0);
  ASSERT_TRUE(trylock_page(p));
  EXPECT_EQ(try_release_extent_buffer(p), 0);
  EXPECT_EQ(eb->PeekRefs(), 2);
  EXPECT_TRUE(eb->PeekFlag(EXTENT_BUFFER_TREE_REF));
  unlock_page(p);
}

TEST(TryReleaseExtentBuffer, RefusesUnderIo) {
  EbHarness h(SmallOptions());
  h.WriteLeaf(kBlock);
  ExtentBuffer* eb = Alloc(h);
  ASSERT_EQ(read_extent_buffer_pages(eb, WAIT_NONE, 0), 0);
  free_extent_buffer(eb);  // refs 1 (tree), io_pages 1
  EXPECT_EQ(try_release_extent_buffer(eb->PeekPage(0)),
            0);  // page locked by io
  EXPECT_EQ(eb->PeekRefs(), 1);
  h.CompleteIo();
}

TEST(TryReleaseExtentBuffer, RefusesWhenTheOnlyRefIsAUserRef) {
  EbHarness h(SmallOptions());
  ExtentBuffer* eb = Alloc(h);
  eb->bflags().clear_bit(EXTENT_BUFFER_TREE_REF);
  eb->refs().Dec();  // refs 1, held by the caller, no TREE_REF
  Page* p = eb->PeekPage(0);
  ASSERT_TRUE(trylock_page(p));
  EXPECT_EQ(try_release_extent_buffer(p), 0);
  EXPECT_EQ(eb->PeekRefs(), 1);
  unlock_page(p);
}

TEST(TryReleaseExtentBuffer, ReleasesEbHeldOnlyByTheTree) {
  EbHarness h(SmallOptions());
  ExtentBuffer* eb = Alloc(h);
  free_extent_buffer(eb);  // refs 1 = TREE_REF
  Page* p = eb->PeekPage(0);
  ASSERT_TRUE(trylock_page(p));
  EXPECT_EQ(try_release_extent_buffer(p), 1);
  EXPECT_EQ(eb->PeekRefs(), 0);
  EXPECT_FALSE(p->flags.PeekBit(PG_private));
  unlock_page(p);
}

TEST(BtreeReleasepage, RefusesDirtyAndWritebackPages) {
  EbHarness h(SmallOptions());
  ExtentBuffer* eb = Alloc(h);
  free_extent_buffer(eb);
  Page* p = eb->PeekPage(0);
  ASSERT_TRUE(trylock_page(p));
  set_page_dirty(p);
  EXPECT_EQ(btree_releasepage(p), 0);
  clear_page_dirty_for_io(p);
  set_page_writeback(p);
  EXPECT_EQ(btree_releasepage(p), 0);
  end_page_writeback(p);
  EXPECT_EQ(btree_releasepage(p), 1);
  unlock_page(p);
}

TEST(ExtentBuffer, AccessAfterFreeIsReported) {
  EbHarness h(SmallOptions());
  ExtentBuffer* eb = Alloc(h);
  free_extent_buffer_stale(eb);
  h.CompleteIo();
  ASSERT_TRUE(eb->PeekFreed());
  EXPECT_EQ(h.RunCatching([&] { eb->refs().Inc(); }), "eb.use_after_free");
}

TEST(ExtentBuffer, DoubleFreeIsReported) {
  EbHarness h(SmallOptions());
  ExtentBuffer* eb = __alloc_extent_buffer(h.fs(), kBlock, 4096);
  eb->MarkFreed();
  EXPECT_EQ(h.RunCatching([&] { eb->MarkFreed(); }), "eb.double_free");
}

}  // namespace
}  // namespace btrfs_eb
}  // namespace faultline
