// Goal: the write side keeps "under io" continuous and TREE_REF
// set: set_extent_buffer_dirty, clear_extent_buffer_dirty /
// btrfs_clean_tree_block, lock_extent_buffer_for_io (DIRTY -> WRITEBACK),
// write_one_eb with completion and with a device or submission error,
// btree_write_cache_pages, and that releasepage refuses dirty/writeback ebs.
// Method: single task with the EbHarness, deferred bios; the disk image is
// checked after the write completes.
#include <vector>

#include "btrfs_eb/disk.h"
#include "btrfs_eb/disk_io.h"
#include "btrfs_eb/extent_io.h"
#include "btrfs_eb/page.h"
#include "gtest/gtest.h"
#include "tests/btrfs_eb/eb_harness.h"

namespace faultline {
namespace btrfs_eb {
namespace {

constexpr uint64_t kBlock = 65536;

// An uptodate eb whose content is a valid leaf, held by the caller.
ExtentBuffer* UptodateEb(EbHarness& h) { return h.UptodateEb(kBlock); }

TEST(SetExtentBufferDirty, SetsDirtyPagesAndKeepsTreeRef) {
  EbHarness h(MultiPageOptions());
  ExtentBuffer* eb = UptodateEb(h);
  EXPECT_FALSE(set_extent_buffer_dirty(eb));
  EXPECT_TRUE(set_extent_buffer_dirty(eb));  // already dirty
  EXPECT_TRUE(eb->PeekFlag(EXTENT_BUFFER_DIRTY));
  EXPECT_TRUE(eb->PeekFlag(EXTENT_BUFFER_TREE_REF));
  for (int i = 0; i < 4; ++i)
    EXPECT_TRUE(eb->PeekPage(i)->flags.PeekBit(PG_dirty));
  EXPECT_TRUE(extent_buffer_under_io(eb));
}

TEST(SetExtentBufferDirty, ReleasepageRefusesDirtyEb) {
  EbHarness h(SmallOptions());
  ExtentBuffer* eb = UptodateEb(h);
  set_extent_buffer_dirty(eb);
  free_extent_buffer(eb);  // refs 1 = TREE_REF, but dirty
  Page* p = eb->PeekPage(0);
  ASSERT_TRUE(trylock_page(p));
  EXPECT_EQ(btree_releasepage(p), 0);
  clear_page_dirty_for_io(p);  // even with the page clean, the eb is DIRTY
  EXPECT_EQ(try_release_extent_buffer(p), 0);
  unlock_page(p);
}

TEST(BtrfsCleanTreeBlock, ClearsDirtyAndPages) {
  EbHarness h(SmallOptions());
  ExtentBuffer* eb = UptodateEb(h);
  set_extent_buffer_dirty(eb);
  btrfs_clean_tree_block(eb);
  EXPECT_FALSE(eb->PeekFlag(EXTENT_BUFFER_DIRTY));
  EXPECT_FALSE(eb->PeekPage(0)->flags.PeekBit(PG_dirty));
  EXPECT_FALSE(extent_buffer_under_io(eb));
}

TEST(LockExtentBufferForIo, CleanEbHasNothingToWrite) {
  EbHarness h(SmallOptions());
  ExtentBuffer* eb = UptodateEb(h);
  EXPECT_EQ(lock_extent_buffer_for_io(eb), 0);
  EXPECT_FALSE(eb->PeekPage(0)->flags.PeekBit(PG_locked));
}

TEST(WriteOneEb, WritesBlockAndEndsWriteback) {
  EbHarness h(MultiPageOptions());
  ExtentBuffer* eb = UptodateEb(h);
  set_extent_buffer_dirty(eb);
  ASSERT_EQ(lock_extent_buffer_for_io(eb), 1);
  EXPECT_FALSE(eb->PeekFlag(EXTENT_BUFFER_DIRTY));
  EXPECT_TRUE(eb->PeekFlag(EXTENT_BUFFER_WRITEBACK));
  EXPECT_EQ(write_one_eb(eb), 0);
  EXPECT_EQ(eb->PeekIoPages(), 4);
  EXPECT_TRUE(extent_buffer_under_io(eb));
  for (int i = 0; i < 4; ++i) {
    EXPECT_FALSE(eb->PeekPage(i)->flags.PeekBit(PG_locked));
    EXPECT_TRUE(eb->PeekPage(i)->flags.PeekBit(PG_writeback));
  }
  EXPECT_EQ(h.CompleteIo(), 1);
  EXPECT_FALSE(eb->PeekFlag(EXTENT_BUFFER_WRITEBACK));
  EXPECT_EQ(eb->PeekIoPages(), 0);
  std::vector<uint8_t> block(eb->len());
  h.fs()->disk()->Read(kBlock, block.data(), block.size());
  EXPECT_EQ(CheckTreeBlock(block.data(), eb->len(), kBlock), 0);
}

TEST(WriteOneEb, DeviceErrorSetsWriteErr) {
  EbHarness h(SmallOptions(),
              R"pb(rules { point: "bio.submit.error" error: -5 })pb");
  ExtentBuffer* eb = UptodateEb(h);
  set_extent_buffer_dirty(eb);
  ASSERT_EQ(lock_extent_buffer_for_io(eb), 1);
  EXPECT_EQ(write_one_eb(eb), 0);
  h.CompleteIo();
  EXPECT_TRUE(eb->PeekFlag(EXTENT_BUFFER_WRITE_ERR));
  EXPECT_FALSE(eb->PeekFlag(EXTENT_BUFFER_WRITEBACK));
  EXPECT_FALSE(eb->PeekPage(0)->flags.PeekBit(PG_uptodate));
}

TEST(WriteOneEb, SubmitErrorEndsWritebackAtOnce) {
  EbHarness h(MultiPageOptions(), R"pb(rules {
                                         point: "bio.add_page.error"
                                         error: -5
                                         skip: 2
                                         max_fires: 1
                                       })pb");
  ExtentBuffer* eb = UptodateEb(h);
  set_extent_buffer_dirty(eb);
  ASSERT_EQ(lock_extent_buffer_for_io(eb), 1);
  EXPECT_EQ(write_one_eb(eb), -kEIO);
  EXPECT_EQ(eb->PeekIoPages(), 2);  // pages 0-1 in flight
  EXPECT_TRUE(eb->PeekFlag(EXTENT_BUFFER_WRITE_ERR));
  for (int i = 2; i < 4; ++i)
    EXPECT_FALSE(eb->PeekPage(i)->flags.PeekBit(PG_locked));
  h.CompleteIo();
  EXPECT_EQ(eb->PeekIoPages(), 0);
  EXPECT_FALSE(eb->PeekFlag(EXTENT_BUFFER_WRITEBACK));
  // The pages that did go out are failed too: end_bio_extent_buffer_writepage
  // checks WRITE_ERR as well as the bio's status.
  for (int i = 0; i < 2; ++i) {
    EXPECT_FALSE(eb->PeekPage(i)->flags.PeekBit(PG_uptodate));
    EXPECT_TRUE(eb->PeekPage(i)->flags.PeekBit(PG_error));
  }
}

TEST(BtreeWriteCachePages, StopsAtWriteOneEbError) {
  EbHarness h(
      MultiPageOptions(),
      R"pb(rules { point: "bio.add_page.error" error: -5 max_fires: 1 })pb");
  ExtentBuffer* eb = UptodateEb(h);
  set_extent_buffer_dirty(eb);
  const uint64_t first = kBlock >> 12;
  EXPECT_EQ(btree_write_cache_pages(h.fs(), 0, first + 8), -kEIO);
  h.CompleteIo();
  EXPECT_TRUE(eb->PeekFlag(EXTENT_BUFFER_WRITE_ERR));
  EXPECT_FALSE(eb->PeekFlag(EXTENT_BUFFER_WRITEBACK));
  EXPECT_EQ(eb->PeekRefs(), 2);  // the scan's ref was dropped
}

// v1 of the 2020 fix (never merged) also re-checked TREE_REF in
// write_one_eb after io_pages. The reviewers' point holds in the model: a
// dirty eb keeps TREE_REF through DIRTY -> WRITEBACK, so the extra call
// changes nothing, with or without it.
TEST(WriteOneEb, V1RecheckFindsTreeRefAlreadySet) {
  for (KernelVariant variant :
       {KernelVariant::kPostFix, KernelVariant::kPostFixV1}) {
    EbHarness h(MultiPageOptions(variant));
    ExtentBuffer* eb = UptodateEb(h);
    set_extent_buffer_dirty(eb);
    ASSERT_EQ(lock_extent_buffer_for_io(eb), 1);
    const int refs = eb->PeekRefs();
    EXPECT_EQ(write_one_eb(eb), 0);
    EXPECT_EQ(eb->PeekRefs(), refs);
    EXPECT_TRUE(eb->PeekFlag(EXTENT_BUFFER_TREE_REF));
    h.CompleteIo();
    EXPECT_EQ(eb->PeekRefs(), refs);
  }
}

TEST(BtreeWriteCachePages, WritesEachDirtyEbOnce) {
  EbHarness h(MultiPageOptions());
  ExtentBuffer* eb = UptodateEb(h);
  set_extent_buffer_dirty(eb);
  const uint64_t first = kBlock >> 12;
  EXPECT_EQ(btree_write_cache_pages(h.fs(), 0, first + 8), 1);
  EXPECT_EQ(btree_write_cache_pages(h.fs(), 0, first + 8), 0);  // clean now
  h.CompleteIo();
  EXPECT_EQ(eb->PeekRefs(), 2);
  EXPECT_FALSE(extent_buffer_under_io(eb));
}

}  // namespace
}  // namespace btrfs_eb
}  // namespace faultline
