// Goal: read_extent_buffer_pages, per-page submission and
// read completion with validation take each branch: early return
// when uptodate, WAIT_NONE trylock failure, all pages already uptodate,
// submit and complete, WAIT_COMPLETE, checksum mismatch -> READ_ERR,
// injected device error -> READ_ERR, per-page submission error, and the
// read entry points of disk-io.c (3.17).
// Method: single task with the EbHarness; bios are deferred (completed by
// CompleteIo) or inline (for WAIT_COMPLETE); faults come from small plans.
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

FsInfoOptions Inline(FsInfoOptions options) {
  options.io_mode = IoMode::kInline;
  return options;
}

ExtentBuffer* Alloc(EbHarness& h) {
  h.WriteLeaf(kBlock);
  EbResult r = alloc_extent_buffer(h.fs(), kBlock);
  EXPECT_TRUE(r.ok());
  return r.eb;
}

TEST(ReadExtentBufferPages, WaitNoneSubmitsAndCompletionMakesUptodate) {
  EbHarness h(MultiPageOptions());
  ExtentBuffer* eb = Alloc(h);
  EXPECT_EQ(read_extent_buffer_pages(eb, WAIT_NONE, 0), 0);
  EXPECT_EQ(eb->PeekIoPages(), 4);
  for (int i = 0; i < 4; ++i)
    EXPECT_TRUE(eb->PeekPage(i)->flags.PeekBit(PG_locked));
  EXPECT_EQ(h.CompleteIo(), 1);
  EXPECT_EQ(eb->PeekIoPages(), 0);
  EXPECT_TRUE(eb->PeekFlag(EXTENT_BUFFER_UPTODATE));
  EXPECT_EQ(eb->PeekRefs(), 2);  // completion's temporary ref is gone
  EXPECT_EQ(eb->read_mirror().Peek(), 1);
  for (int i = 0; i < 4; ++i) {
    EXPECT_FALSE(eb->PeekPage(i)->flags.PeekBit(PG_locked));
    EXPECT_TRUE(eb->PeekPage(i)->flags.PeekBit(PG_uptodate));
  }
}

TEST(ReadExtentBufferPages, UptodateReturnsAtOnce) {
  EbHarness h(SmallOptions());
  ExtentBuffer* eb = Alloc(h);
  eb->bflags().set_bit(EXTENT_BUFFER_UPTODATE);
  EXPECT_EQ(read_extent_buffer_pages(eb, WAIT_NONE, 0), 0);
  EXPECT_EQ(h.fs()->PeekDeferredBios(), 0u);
}

TEST(ReadExtentBufferPages, TrylockFailureSkipsReadahead) {
  EbHarness h(MultiPageOptions(), R"pb(rules {
                                         point: "mm.trylock_page"
                                         keys: 18
                                         fail {}
                                       })pb");
  ExtentBuffer* eb = Alloc(h);  // pages 16..19
  EXPECT_EQ(read_extent_buffer_pages(eb, WAIT_NONE, 0), 0);
  EXPECT_EQ(eb->PeekIoPages(), 0);
  EXPECT_EQ(h.fs()->PeekDeferredBios(), 0u);
  for (int i = 0; i < 4; ++i)
    EXPECT_FALSE(eb->PeekPage(i)->flags.PeekBit(PG_locked));
}

TEST(ReadExtentBufferPages, AllPagesUptodateSetsFlagWithoutIo) {
  EbHarness h(SmallOptions());
  ExtentBuffer* eb = Alloc(h);
  SetPageUptodate(eb->PeekPage(0));
  EXPECT_EQ(read_extent_buffer_pages(eb, WAIT_NONE, 0), 0);
  EXPECT_TRUE(eb->PeekFlag(EXTENT_BUFFER_UPTODATE));
  EXPECT_EQ(h.fs()->PeekDeferredBios(), 0u);
  EXPECT_FALSE(eb->PeekPage(0)->flags.PeekBit(PG_locked));
}

TEST(ReadExtentBufferPages, UptodatePagesAreUnlockedAndNotRead) {
  EbHarness h(MultiPageOptions());
  ExtentBuffer* eb = Alloc(h);
  SetPageUptodate(eb->PeekPage(1));
  EXPECT_EQ(read_extent_buffer_pages(eb, WAIT_NONE, 0), 0);
  EXPECT_EQ(eb->PeekIoPages(), 3);
  EXPECT_FALSE(eb->PeekPage(1)->flags.PeekBit(PG_locked));
  h.CompleteIo();
  EXPECT_TRUE(eb->PeekFlag(EXTENT_BUFFER_UPTODATE));
}

TEST(ReadExtentBufferPages, WaitCompleteReturnsAfterCompletion) {
  EbHarness h(Inline(MultiPageOptions()));
  ExtentBuffer* eb = Alloc(h);
  EXPECT_EQ(read_extent_buffer_pages(eb, WAIT_COMPLETE, 1), 0);
  EXPECT_TRUE(eb->PeekFlag(EXTENT_BUFFER_UPTODATE));
  EXPECT_EQ(eb->PeekIoPages(), 0);
}

TEST(ReadExtentBufferPages, ChecksumMismatchSetsReadErr) {
  EbHarness h(Inline(MultiPageOptions()));
  ExtentBuffer* eb = Alloc(h);
  h.fs()->disk()->Corrupt(kBlock);
  EXPECT_EQ(read_extent_buffer_pages(eb, WAIT_COMPLETE, 1), -kEIO);
  EXPECT_TRUE(eb->PeekFlag(EXTENT_BUFFER_READ_ERR));
  EXPECT_FALSE(eb->PeekFlag(EXTENT_BUFFER_UPTODATE));
  EXPECT_EQ(eb->PeekIoPages(), 0);
  EXPECT_EQ(eb->PeekRefs(), 2);
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(eb->PeekPage(i)->flags.PeekBit(PG_error) ||
                !eb->PeekPage(i)->flags.PeekBit(PG_uptodate));
  }
}

TEST(ReadExtentBufferPages, DeviceErrorSetsReadErr) {
  EbHarness h(Inline(SmallOptions()),
              R"pb(rules { point: "bio.submit.error" error: -5 })pb");
  ExtentBuffer* eb = Alloc(h);
  EXPECT_EQ(read_extent_buffer_pages(eb, WAIT_COMPLETE, 1), -kEIO);
  EXPECT_TRUE(eb->PeekFlag(EXTENT_BUFFER_READ_ERR));
  EXPECT_TRUE(eb->PeekPage(0)->flags.PeekBit(PG_error));
  EXPECT_EQ(eb->PeekIoPages(), 0);
}

TEST(ReadExtentBufferPages, SubmitErrorDropsRemainingPages) {
  EbHarness h(MultiPageOptions(), R"pb(rules {
                                         point: "bio.add_page.error"
                                         error: -12
                                         skip: 1
                                         max_fires: 1
                                       })pb");
  // A full leaf, so every page of the block holds data.
  std::vector<BlockItem> items;
  for (uint64_t k = 0; k < MaxItems(16384); ++k) items.push_back({k, k});
  h.fs()->disk()->WriteTreeBlock(kBlock, 0, 1, items);
  ExtentBuffer* eb = alloc_extent_buffer(h.fs(), kBlock).eb;
  EXPECT_EQ(read_extent_buffer_pages(eb, WAIT_NONE, 0), -kENOMEM);
  // Page 0 is in flight; pages 1 (failed) and 2-3 (skipped) left io_pages.
  EXPECT_EQ(eb->PeekIoPages(), 1);
  EXPECT_TRUE(eb->PeekPage(1)->flags.PeekBit(PG_error));
  for (int i = 1; i < 4; ++i)
    EXPECT_FALSE(eb->PeekPage(i)->flags.PeekBit(PG_locked));
  EXPECT_EQ(h.CompleteIo(), 1);
  EXPECT_EQ(eb->PeekIoPages(), 0);
  EXPECT_FALSE(eb->PeekFlag(EXTENT_BUFFER_UPTODATE));  // block incomplete
  EXPECT_TRUE(eb->PeekFlag(EXTENT_BUFFER_READ_ERR));
}

TEST(ReadTreeBlock, ReturnsUptodateEbWithCallerRef) {
  EbHarness h(Inline(SmallOptions()));
  h.WriteLeaf(kBlock);
  EbResult r = read_tree_block(h.fs(), kBlock);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.eb->PeekFlag(EXTENT_BUFFER_UPTODATE));
  EXPECT_EQ(r.eb->PeekRefs(), 2);
}

TEST(ReadTreeBlock, FailureStaleFreesTheEb) {
  EbHarness h(Inline(SmallOptions()));
  h.WriteLeaf(kBlock);
  h.fs()->disk()->Corrupt(kBlock);
  EbResult r = read_tree_block(h.fs(), kBlock);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error, -kEIO);
  ExtentBuffer* eb = h.fs()->PeekLatestExtentBuffer(kBlock);
  EXPECT_TRUE(eb->PeekFlag(EXTENT_BUFFER_STALE));
  EXPECT_EQ(eb->PeekRefs(), 0);
}

TEST(ReadaheadTreeBlock, DropsItsRefWhileReadIsInFlight) {
  EbHarness h(SmallOptions());
  h.WriteLeaf(kBlock);
  readahead_tree_block(h.fs(), kBlock);
  ExtentBuffer* eb = h.fs()->PeekLatestExtentBuffer(kBlock);
  EXPECT_EQ(eb->PeekRefs(), 1);  // only TREE_REF pins it
  EXPECT_EQ(eb->PeekIoPages(), 1);
  h.CompleteIo();
  EXPECT_TRUE(eb->PeekFlag(EXTENT_BUFFER_UPTODATE));
}

TEST(ReadaheadTreeBlock, SubmitErrorStaleFrees) {
  EbHarness h(SmallOptions(),
              R"pb(rules { point: "bio.add_page.error" error: -12 })pb");
  h.WriteLeaf(kBlock);
  readahead_tree_block(h.fs(), kBlock);
  ExtentBuffer* eb = h.fs()->PeekLatestExtentBuffer(kBlock);
  EXPECT_TRUE(eb->PeekFlag(EXTENT_BUFFER_STALE));
  EXPECT_EQ(eb->PeekRefs(), 0);
}

TEST(ReadaTreeBlockFlagged, ReturnsUptodateEbAndClearsReadahead) {
  EbHarness h(Inline(SmallOptions()));
  h.WriteLeaf(kBlock);
  ExtentBuffer* eb = nullptr;
  EXPECT_EQ(reada_tree_block_flagged(h.fs(), kBlock, 0, &eb), 0);
  ASSERT_NE(eb, nullptr);
  EXPECT_TRUE(eb->PeekFlag(EXTENT_BUFFER_UPTODATE));
  EXPECT_FALSE(eb->PeekFlag(EXTENT_BUFFER_READAHEAD));
}

// The kernel's CORRUPT branch: a leaf the tree-checker rejects is
// stale-freed and reported as -EIO, not returned.
TEST(ReadaTreeBlockFlagged, CorruptLeafIsStaleFreedWithEio) {
  EbHarness h(Inline(SmallOptions()));
  std::vector<uint8_t> block(4096);
  FormatTreeBlock(block.data(), 4096, kBlock, 1, 0, {{1, 2}});
  PutLe32(block.data() + kHeaderNritemsOffset, MaxItems(4096) + 1);
  SetTreeBlockChecksum(block.data(), 4096);
  h.fs()->disk()->Write(kBlock, block.data(), block.size());
  ExtentBuffer* eb = nullptr;
  EXPECT_EQ(reada_tree_block_flagged(h.fs(), kBlock, 0, &eb), -kEIO);
  EXPECT_EQ(eb, nullptr);
  ExtentBuffer* stale = h.fs()->PeekLatestExtentBuffer(kBlock);
  EXPECT_TRUE(stale->PeekFlag(EXTENT_BUFFER_CORRUPT));
  EXPECT_TRUE(stale->PeekFlag(EXTENT_BUFFER_STALE));
  EXPECT_EQ(stale->PeekRefs(), 0);
}

}  // namespace
}  // namespace btrfs_eb
}  // namespace faultline
