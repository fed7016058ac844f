// Goal: the bridge works on kernel objects as the kernel leaves them —
// zero-filled memory with no constructor run — and its slab turns frees
// into poison and quarantine, so stale pointers are caught, not undefined.
// Method: outside any iteration (the bridge's plain mode), act on memory
// from k61_slab_alloc through the C entry points the shim's macros call;
// the checks that end an iteration abort the process here (death tests).
// Inside iterations the same paths are exercised by the plan tests.
#include "kernel61/bridge/bridge.h"

#include <cstdint>
#include <cstring>

#include "gtest/gtest.h"
#include "kernel61/bridge/kernel_state.h"

namespace kernel61 {
namespace {

// The shapes the shim gives atomic_t, spinlock_t and page->flags.
struct ZeroFilled {
  int counter;
  unsigned int spinlock;
  unsigned long flags;
};

#define SITE "test", __FILE__, __LINE__
#define OP(name) name, "&obj->counter", "obj->counter"

TEST(Bridge, ZeroFilledObjectsAreValid) {
  KernelState state;
  auto* obj = static_cast<ZeroFilled*>(
      k61_slab_alloc("test_cache", sizeof(ZeroFilled), SITE));
  EXPECT_EQ(obj->counter, 0);
  EXPECT_EQ(
      k61_int_inc_not_zero(&obj->counter, OP("atomic_inc_not_zero"), SITE), 0);
  EXPECT_EQ(k61_int_add_return(&obj->counter, 1, OP("atomic_inc"), SITE), 1);
  EXPECT_EQ(
      k61_int_inc_not_zero(&obj->counter, OP("atomic_inc_not_zero"), SITE), 1);
  int expected = 2;
  EXPECT_EQ(
      k61_int_try_cmpxchg(&obj->counter, &expected, 5, OP("cmpxchg"), SITE), 1);
  expected = 2;
  EXPECT_EQ(
      k61_int_try_cmpxchg(&obj->counter, &expected, 7, OP("cmpxchg"), SITE), 0);
  EXPECT_EQ(expected, 5);

  // A zero-filled spinlock_t is a free lock.
  EXPECT_EQ(k61_spin_is_locked(&obj->spinlock), 0);
  k61_spin_lock(&obj->spinlock, "&obj->lock", SITE);
  EXPECT_EQ(k61_spin_is_locked(&obj->spinlock), 1);
  k61_spin_unlock(&obj->spinlock, "&obj->lock", SITE);
  EXPECT_EQ(k61_spin_is_locked(&obj->spinlock), 0);

  // Bit operations and the page lock (PG_locked, bit 0) on a zero word.
  EXPECT_EQ(
      k61_bit_op(2, 4, &obj->flags, "test_and_set_bit", "4", "flags", SITE), 0);
  EXPECT_EQ(k61_test_bit(4, &obj->flags, "test_bit", "4", "flags", SITE), 1);
  EXPECT_EQ(k61_page_is_locked(&obj->flags), 0);
  EXPECT_EQ(k61_page_trylock(&obj->flags, SITE), 1);
  EXPECT_EQ(k61_page_trylock(&obj->flags, SITE), 0);
  k61_page_unlock(&obj->flags, SITE);  // any task may unlock a page
  k61_page_lock(&obj->flags, SITE);
  EXPECT_EQ(k61_page_is_locked(&obj->flags), 1);
  k61_page_unlock(&obj->flags, SITE);
  EXPECT_EQ(obj->flags, 1UL << 4);
  EXPECT_EQ(state.Live("test_cache"), 1);
}

TEST(Bridge, FreedSlabObjectsArePoisonedAndQuarantined) {
  KernelState state;
  auto* a = static_cast<unsigned char*>(k61_slab_alloc("eb", 64, SITE));
  auto* b = static_cast<unsigned char*>(k61_slab_alloc("eb", 64, SITE));
  EXPECT_EQ(state.LatestLive("eb"), b);
  k61_slab_free("eb", b, SITE);
  for (int i = 0; i < 64; ++i) ASSERT_EQ(b[i], 0x6b) << i;
  EXPECT_EQ(k61_slab_is_freed(b + 17), 1);
  EXPECT_EQ(k61_slab_is_freed(a + 17), 0);
  EXPECT_EQ(state.Live("eb"), 1);
  EXPECT_EQ(state.LatestLive("eb"), a);
  // Quarantine: a new object never reuses a freed address.
  void* c = k61_slab_alloc("eb", 64, SITE);
  EXPECT_NE(c, b);
}

TEST(Bridge, FreedPagesStayReadable) {
  KernelState state;
  auto* page = static_cast<ZeroFilled*>(
      k61_slab_alloc("page", sizeof(ZeroFilled), SITE));
  k61_page_free(page, SITE);
  EXPECT_EQ(state.Live("page"), 0);
  EXPECT_EQ(k61_slab_is_freed(page), 0);  // the memmap is never unmapped
  EXPECT_EQ(k61_test_bit(0, &page->flags, "PageLocked", "page", "flags", SITE),
            0);
}

TEST(BridgeDeathTest, OperationOnFreedObjectIsUseAfterFree) {
  KernelState state;
  auto* obj =
      static_cast<ZeroFilled*>(k61_slab_alloc("eb", sizeof(ZeroFilled), SITE));
  k61_slab_free("eb", obj, SITE);
  EXPECT_DEATH(k61_int_read(&obj->counter, OP("atomic_read"), SITE),
               "kernel61.use_after_free: atomic_read\\(&obj->counter\\) on "
               "freed slab memory in test\\(\\)");
}

TEST(BridgeDeathTest, DoubleFreeIsReported) {
  KernelState state;
  void* obj = k61_slab_alloc("eb", 16, SITE);
  k61_slab_free("eb", obj, SITE);
  EXPECT_DEATH(k61_slab_free("eb", obj, SITE),
               "kernel61.bad_free: double free");
}

TEST(BridgeDeathTest, KernelAssertIsNamedAfterTheFunction) {
  KernelState state;
  EXPECT_DEATH(k61_check_failed("ASSERT", "!extent_buffer_under_io(eb)", 1,
                                "btrfs_release_extent_buffer_pages",
                                "fs/btrfs/extent_io.c", 4340),
               "btrfs_release_extent_buffer_pages.ASSERT: "
               "ASSERT\\(!extent_buffer_under_io\\(eb\\)\\).*"
               "fs/btrfs/extent_io.c:4340");
}

}  // namespace
}  // namespace kernel61
