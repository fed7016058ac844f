// Goal: the v6.5-v6.8 read path (variant eb_cve_2024_35798_prefix) starts a
// second read of an eb another read has just made UPTODATE, and the v6.9
// fix (eb_cve_2024_35798_postfix) does not (docs/btrfs_eb.md,
// "CVE-2024-35798").
// Method: one thread plays the readers of the fix's commit message. Reader
// A's read is submitted (deferred bio); reader B's read_extent_buffer_pages
// is split between its UPTODATE test and its test_and_set_bit(READING) at
// the fault point "eb.read_extent_buffer_pages.before_reading_bit" by a
// rule that triggers the test hook, which completes A's read inside the
// window. Reader C then tests UPTODATE.
#include <string>
#include <vector>

#include "btrfs_eb/bio.h"
#include "btrfs_eb/disk_io.h"
#include "btrfs_eb/extent_io.h"
#include "btrfs_eb/invariants.h"
#include "gtest/gtest.h"
#include "tests/btrfs_eb/eb_harness.h"

namespace faultline {
namespace btrfs_eb {
namespace {

constexpr uint64_t kBlock = 65536;
constexpr char kSplitBeforeReadingBit[] = R"pb(
  rules {
    point: "eb.read_extent_buffer_pages.before_reading_bit"
    trigger { hook: "test.btrfs_eb.step" }
  })pb";

bool Flag(ExtentBuffer* eb, int bit) { return eb->PeekFlag(bit); }

// Readers A and B of the commit message's table; returns the eb with A's
// and B's refs held, after B's read_extent_buffer_pages returned.
ExtentBuffer* RunReadersAAndB(EbHarness& h) {
  FsInfo* fs = h.fs();
  h.WriteLeaf(kBlock);
  EbResult a = btrfs_find_create_tree_block(fs, kBlock);
  EbResult b = btrfs_find_create_tree_block(fs, kBlock);
  EXPECT_TRUE(a.ok() && b.ok());
  ExtentBuffer* eb = a.eb;
  EXPECT_EQ(b.eb, eb);
  EXPECT_EQ(eb->PeekRefs(), 3);  // A, B, the tree
  // A (1)-(2): not UPTODATE, wins READING, submits; the bio holds a ref.
  EXPECT_EQ(read_extent_buffer_pages(eb, WAIT_NONE, 0), 0);
  EXPECT_TRUE(Flag(eb, EXTENT_BUFFER_READING));
  EXPECT_EQ(eb->PeekRefs(), 4);
  EXPECT_EQ(fs->PeekDeferredBios(), 1u);
  // B (1): not UPTODATE. Then A's completion (3)-(4): UPTODATE set,
  // READING cleared, the bio's ref dropped. Then B (2).
  h.SetStep([&] {
    EXPECT_EQ(h.CompleteIo(), 1);
    EXPECT_TRUE(Flag(eb, EXTENT_BUFFER_UPTODATE));
    EXPECT_FALSE(Flag(eb, EXTENT_BUFFER_READING));
    EXPECT_EQ(eb->PeekRefs(), 3);
  });
  EXPECT_EQ(read_extent_buffer_pages(eb, WAIT_NONE, 0), 0);
  return eb;
}

TEST(Cve2024_35798, SecondReadOfAnUptodateEbBeforeFix) {
  EbHarness h(SmallOptions(KernelVariant::kCve2024_35798PreFix),
              kSplitBeforeReadingBit);
  ExtentBuffer* eb = RunReadersAAndB(h);
  // B won READING on an UPTODATE eb and submitted a second read.
  EXPECT_TRUE(Flag(eb, EXTENT_BUFFER_READING));
  EXPECT_EQ(h.fs()->PeekDeferredBios(), 1u);
  EXPECT_TRUE(eb->PeekIoInFlight());
  // C (1): UPTODATE, so it returns at once, even waiting for completion,
  // and uses the eb while B's read overwrites its pages.
  EXPECT_EQ(read_extent_buffer_pages(eb, WAIT_COMPLETE, 0), 0);
  EXPECT_TRUE(h.ViolationNames().empty());
  // B's read completes on an eb that is already UPTODATE.
  EXPECT_EQ(h.CompleteIo(), 1);
  EXPECT_EQ(h.ViolationNames(),
            std::vector<std::string>{"end_bbio_meta_read.uptodate"});
}

TEST(Cve2024_35798, NoSecondReadAfterFix) {
  EbHarness h(SmallOptions(KernelVariant::kCve2024_35798PostFix),
              kSplitBeforeReadingBit);
  ExtentBuffer* eb = RunReadersAAndB(h);
  // B won READING, saw UPTODATE again, gave READING back: no bio.
  EXPECT_FALSE(Flag(eb, EXTENT_BUFFER_READING));
  EXPECT_EQ(h.fs()->PeekDeferredBios(), 0u);
  EXPECT_FALSE(eb->PeekIoInFlight());
  EXPECT_EQ(eb->PeekRefs(), 3);
  EXPECT_EQ(read_extent_buffer_pages(eb, WAIT_COMPLETE, 0), 0);
  EXPECT_EQ(h.CompleteIo(), 0);
  free_extent_buffer(eb);
  free_extent_buffer(eb);
  EXPECT_EQ(eb->PeekRefs(), 1);
  EXPECT_EQ(h.RunCatching([&] { CheckQuiescentInvariants(*h.fs()); }), "");
  EXPECT_TRUE(h.ViolationNames().empty());
}

// A reader that arrives while a read is in flight finds READING set and
// submits nothing, with or without the fix.
TEST(Cve2024_35798, ReaderDuringReadWaitsForIt) {
  for (KernelVariant v : {KernelVariant::kCve2024_35798PreFix,
                          KernelVariant::kCve2024_35798PostFix}) {
    EbHarness h(SmallOptions(v));
    h.WriteLeaf(kBlock);
    EbResult a = btrfs_find_create_tree_block(h.fs(), kBlock);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(read_extent_buffer_pages(a.eb, WAIT_NONE, 0), 0);
    EXPECT_EQ(read_extent_buffer_pages(a.eb, WAIT_NONE, 0), 0);
    EXPECT_EQ(h.fs()->PeekDeferredBios(), 1u);
    EXPECT_EQ(h.CompleteIo(), 1);
    EXPECT_TRUE(Flag(a.eb, EXTENT_BUFFER_UPTODATE));
    EXPECT_FALSE(Flag(a.eb, EXTENT_BUFFER_READING));
    free_extent_buffer(a.eb);
    EXPECT_EQ(h.RunCatching([&] { CheckQuiescentInvariants(*h.fs()); }), "");
    EXPECT_TRUE(h.ViolationNames().empty());
  }
}

}  // namespace
}  // namespace btrfs_eb
}  // namespace faultline
