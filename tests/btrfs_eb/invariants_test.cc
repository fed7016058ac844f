// Goal: the invariant checks pass on healthy states and name the
// right check on broken ones: leaked ref, missing TREE_REF at quiescence,
// locked page, I/O in flight, resurrection, freed eb still in the radix.
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

}  // namespace
}  // namespace btrfs_eb
}  // namespace faultline
