// Goal: the simulated disk behaves as one flat zero-initialised image even
// though it is kept sparse, and the tree block checksum (which skips zero
// words) is exactly FNV-1a over bytes [4, nodesize).
// Method: reads and writes that straddle chunk boundaries against a plain
// byte array; checksums of blocks with and without zero runs, at sizes that
// are not multiples of 8, against a byte-at-a-time FNV-1a.
#include "btrfs_eb/disk.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace faultline {
namespace btrfs_eb {
namespace {

uint32_t PlainFnv1a(const uint8_t* block, uint32_t nodesize) {
  uint32_t h = 2166136261u;
  for (uint32_t i = 4; i < nodesize; ++i) {
    h ^= block[i];
    h *= 16777619u;
  }
  return h;
}

TEST(Disk, UnwrittenBytesReadAsZero) {
  Disk disk(3 * 4096 + 100, 4096);
  std::vector<uint8_t> buf(disk.size_bytes(), 0xff);
  disk.Read(0, buf.data(), buf.size());
  for (uint8_t b : buf) ASSERT_EQ(b, 0);
}

TEST(Disk, WritesAcrossChunksReadBackLikeAFlatImage) {
  const uint64_t size = 5 * 4096 + 7;
  Disk disk(size, 4096);
  std::vector<uint8_t> flat(size, 0);
  uint8_t value = 1;
  for (uint64_t start : {uint64_t{4000}, uint64_t{8191}, uint64_t{12288},
                         uint64_t{size - 300}}) {
    std::vector<uint8_t> src(300);
    for (uint8_t& b : src) b = value++;
    disk.Write(start, src.data(), src.size());
    std::copy(src.begin(), src.end(), flat.begin() + start);
  }
  std::vector<uint8_t> got(size, 0xee);
  disk.Read(0, got.data(), got.size());
  EXPECT_EQ(got, flat);
  std::vector<uint8_t> middle(5000);
  disk.Read(3000, middle.data(), middle.size());
  EXPECT_TRUE(std::equal(middle.begin(), middle.end(), flat.begin() + 3000));
}

TEST(Disk, CorruptFlipsTheLastByteOfTheBlock) {
  Disk disk(65536 + 16384, 16384);
  disk.WriteTreeBlock(65536, 0, 1, {{1, 2}});
  std::vector<uint8_t> block(16384);
  disk.Read(65536, block.data(), block.size());
  EXPECT_EQ(CheckTreeBlock(block.data(), 16384, 65536), 0);
  disk.Corrupt(65536);
  disk.Read(65536, block.data(), block.size());
  EXPECT_EQ(block.back(), 0x5a);
  EXPECT_EQ(CheckTreeBlock(block.data(), 16384, 65536), -kEUCLEAN);
}

TEST(TreeBlockChecksum, EqualsByteAtATimeFnv1a) {
  for (uint32_t size : {4u, 5u, 9u, 15u, 16u, 17u, 100u, 1024u, 4096u}) {
    std::vector<uint8_t> block(size, 0);
    EXPECT_EQ(TreeBlockChecksum(block.data(), size),
              PlainFnv1a(block.data(), size))
        << "zeros, size " << size;
    uint32_t x = size;
    for (uint32_t i = 0; i < size; ++i) {
      x = x * 1103515245u + 12345u;
      // Mostly zeros with scattered bytes, so zero words and mixed words
      // alternate at every alignment.
      block[i] = (x >> 16) % 5 == 0 ? static_cast<uint8_t>(x >> 24) : 0;
    }
    EXPECT_EQ(TreeBlockChecksum(block.data(), size),
              PlainFnv1a(block.data(), size))
        << "mixed, size " << size;
  }
}

}  // namespace
}  // namespace btrfs_eb
}  // namespace faultline
