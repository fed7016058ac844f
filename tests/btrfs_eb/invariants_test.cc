// Goal: the invariant checks pass on healthy states and name the
// right check on broken ones: leaked ref, missing TREE_REF at quiescence,
// locked page, I/O in flight, resurrection, freed eb still in the radix,
// the reference ledger, an uptodate eb with a stale page (and v5.8's
// failed-write exception).
// Method: single task with the EbHarness; states are built with model
// functions and then damaged on purpose through the instrumented fields.
#include "btrfs_eb/invariants.h"

#include "btrfs_eb/extent_io.h"
#include "btrfs_eb/page.h"
#include "gtest/gtest.h"
#include "tests/btrfs_eb/eb_harness.h"

namespace faultline {
namespace btrfs_eb {
namespace {

constexpr uint64_t kBlock = 65536;

ExtentBuffer* IdleEb(EbHarness& h) {
  EbResult r = alloc_extent_buffer(h.fs(), kBlock);
  EXPECT_TRUE(r.ok());
  free_extent_buffer(r.eb);  // refs 1 = TREE_REF
  return r.eb;
}

std::string Quiescent(EbHarness& h) {
  return h.RunCatching([&] { CheckQuiescentInvariants(*h.fs()); });
}

std::string Step(EbHarness& h) {
  return h.RunCatching([&] { CheckStepInvariants(*h.fs()); });
}

TEST(Invariants, HealthyStatePasses) {
  EbHarness h(MultiPageOptions());
  IdleEb(h);
  EXPECT_EQ(Step(h), "");
  EXPECT_EQ(Quiescent(h), "");
}

TEST(Invariants, LeakedRefIsReported) {
  EbHarness h(SmallOptions());
  EbResult r = alloc_extent_buffer(h.fs(), kBlock);  // caller never frees
  (void)r;
  EXPECT_EQ(Quiescent(h), "eb.quiescent.leak");
}

TEST(Invariants, AliveInTreeWithoutTreeRefIsReported) {
  EbHarness h(SmallOptions());
  ExtentBuffer* eb = IdleEb(h);
  eb->bflags().clear_bit(EXTENT_BUFFER_TREE_REF);
  EXPECT_EQ(Quiescent(h), "eb.quiescent.tree_ref");
}

TEST(Invariants, LockedPageIsReported) {
  EbHarness h(SmallOptions());
  ExtentBuffer* eb = IdleEb(h);
  ASSERT_TRUE(trylock_page(eb->PeekPage(0)));
  EXPECT_EQ(Quiescent(h), "page.quiescent.locked");
}

TEST(Invariants, IoInFlightIsReported) {
  EbHarness h(SmallOptions());
  ExtentBuffer* eb = IdleEb(h);
  eb->io_pages().Set(1);
  EXPECT_EQ(Step(h), "");
  EXPECT_EQ(Quiescent(h), "eb.quiescent.io");
}

TEST(Invariants, IoPagesAboveNumPagesIsReported) {
  EbHarness h(SmallOptions());
  ExtentBuffer* eb = IdleEb(h);
  eb->io_pages().Set(2);
  EXPECT_EQ(Step(h), "eb.io_pages_range");
}

TEST(Invariants, ResurrectionIsReported) {
  EbHarness h(SmallOptions());
  ExtentBuffer* eb = IdleEb(h);
  eb->MarkDead();
  EXPECT_EQ(Step(h), "eb.resurrect");
}

TEST(Invariants, FreedEbInRadixIsReported) {
  EbHarness h(SmallOptions());
  ExtentBuffer* eb = IdleEb(h);
  eb->MarkFreed();
  EXPECT_EQ(Step(h), "eb.radix_freed");
}

TEST(Invariants, PageRefLeakIsReported) {
  EbHarness h(SmallOptions());
  ExtentBuffer* eb = IdleEb(h);
  get_page(eb->PeekPage(0));
  EXPECT_EQ(Quiescent(h), "page.quiescent.refcount");
}

// The ledger (eb.ledger) follows the model's own ref operations: the
// allocator's ref, a lookup's, and their drops.
TEST(Invariants, LedgerFollowsAllocFindAndFree) {
  EbHarness h(SmallOptions());
  EbResult r = alloc_extent_buffer(h.fs(), kBlock);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.eb->PeekRefs(), 2);
  EXPECT_EQ(r.eb->PeekHeld(), 1);
  ExtentBuffer* found = find_extent_buffer(h.fs(), kBlock);
  ASSERT_EQ(found, r.eb);
  EXPECT_EQ(r.eb->PeekHeld(), 2);
  EXPECT_EQ(Step(h), "");
  free_extent_buffer(found);
  free_extent_buffer(r.eb);
  EXPECT_EQ(r.eb->PeekRefs(), 1);
  EXPECT_EQ(r.eb->PeekHeld(), 0);
  EXPECT_EQ(Step(h), "");
  EXPECT_EQ(Quiescent(h), "");
}

// The tree's ref passes to try_release_extent_buffer, which drops it.
TEST(Invariants, LedgerFollowsTryRelease) {
  EbHarness h(SmallOptions());
  ExtentBuffer* eb = IdleEb(h);
  Page* page = eb->PeekPage(0);
  ASSERT_TRUE(trylock_page(page));
  EXPECT_EQ(
      h.RunCatching([&] { EXPECT_EQ(try_release_extent_buffer(page), 1); }),
      "");
  unlock_page(page);
  EXPECT_TRUE(eb->PeekDead());
  EXPECT_EQ(eb->PeekHeld(), 0);
  EXPECT_EQ(eb->PeekRefs(), 0);
}

TEST(Invariants, LedgerMismatchIsReported) {
  EbHarness h(SmallOptions());
  ExtentBuffer* eb = IdleEb(h);
  eb->refs().Inc();  // a ref nobody recorded
  EXPECT_EQ(Step(h), "eb.ledger");
}

// UPTODATE says the pages hold the block; at quiescence they must be
// uptodate.
TEST(Invariants, UptodateEbWithStalePageIsReported) {
  EbHarness h(SmallOptions());
  ExtentBuffer* eb = IdleEb(h);
  eb->bflags().set_bit(EXTENT_BUFFER_UPTODATE);
  EXPECT_EQ(Step(h), "");
  EXPECT_EQ(Quiescent(h), "eb.uptodate");
}

// v5.8's exception: a failed write clears PageUptodate and sets PageError
// on the page, and WRITE_ERR on the eb, whose UPTODATE stays.
TEST(Invariants, FailedWriteKeepsEbUptodateWithStalePage) {
  EbHarness h(SmallOptions(),
              R"pb(rules { point: "bio.submit.error" error: -5 })pb");
  ExtentBuffer* eb = h.UptodateEb(kBlock);
  set_extent_buffer_dirty(eb);
  ASSERT_EQ(lock_extent_buffer_for_io(eb), 1);
  EXPECT_EQ(write_one_eb(eb), 0);
  h.CompleteIo();
  free_extent_buffer(eb);
  ASSERT_TRUE(eb->PeekFlag(EXTENT_BUFFER_UPTODATE));
  ASSERT_FALSE(eb->PeekPage(0)->flags.PeekBit(PG_uptodate));
  EXPECT_EQ(Quiescent(h), "");
}

}  // namespace
}  // namespace btrfs_eb
}  // namespace faultline
