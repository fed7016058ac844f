// Goal: the buffer pool works as a buffer pool: hits share a frame, misses
// evict unpinned frames round the clock and write dirty ones back, a pool
// whose frames are all pinned says so, and concurrent users on real threads
// never see a page they did not pin. An ordinary unit test: tools/test also
// builds it with --define faultline=off, where the pool is plain std code.
// Method: drive a small pool directly, then from four threads.
#include "examples/buffer_pool/buffer_pool.h"

#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace bufpool {
namespace {

TEST(BufferPool, HitsShareAFrameAndMissesEvict) {
  Disk disk;
  disk.Write(1, "one");
  disk.Write(2, "two");
  BufferPool pool(&disk, /*frames=*/1);
  Frame* a = pool.Pin(1);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->data, "one");
  EXPECT_EQ(pool.Pin(1), a);
  EXPECT_EQ(a->pins.load(), 2);
  EXPECT_EQ(pool.Pin(2), nullptr);  // the only frame is pinned
  pool.Unpin(a, false);
  pool.Unpin(a, false);
  Frame* b = pool.Pin(2);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->data, "two");
  EXPECT_EQ(b->page.load(), 2);
  pool.Unpin(b, false);
}

TEST(BufferPool, DirtyFramesAreWrittenBackOnEviction) {
  Disk disk;
  BufferPool pool(&disk, /*frames=*/2);
  Frame* f = pool.Pin(7);
  f->data = "seven";
  pool.Unpin(f, /*dirty=*/true);
  const int64_t writes = disk.writes();
  pool.Unpin(pool.Pin(8), false);
  pool.Unpin(pool.Pin(9), false);  // evicts 7 (the clock hand's next)
  EXPECT_EQ(disk.writes(), writes + 1);
  EXPECT_EQ(disk.Read(7), "seven");
  Frame* again = pool.Pin(7);
  EXPECT_EQ(again->data, "seven");
  pool.Unpin(again, false);
}

TEST(BufferPool, ThreadsOnlySeeThePagesTheyPinned) {
  Disk disk;
  for (PageId p = 0; p < 8; ++p) disk.Write(p, std::to_string(p));
  BufferPool pool(&disk, /*frames=*/3);
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&pool, &wrong, t] {
      for (int i = 0; i < 2000; ++i) {
        const PageId page = (i * 5 + t) % 8;
        Frame* f = pool.Pin(page);
        if (f == nullptr) continue;
        if (f->page.load() != page) ++wrong[t];
        pool.Unpin(f, false);
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(wrong[t], 0) << "thread " << t;
}

}  // namespace
}  // namespace bufpool
