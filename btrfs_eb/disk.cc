// The simulated device and the tree block format (see disk.h).
#include "btrfs_eb/disk.h"

#include <cstring>

#include "framework/check.h"

namespace faultline {
namespace btrfs_eb {

uint64_t GetLe64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

uint32_t GetLe32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

void PutLe64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

void PutLe32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

size_t MaxItems(uint32_t nodesize) {
  return (nodesize - kHeaderSize) / kItemSize;
}

// FNV-1a, 32 bit: deterministic and dependency-free.
uint32_t TreeBlockChecksum(const uint8_t* block, uint32_t nodesize) {
  uint32_t h = 2166136261u;
  for (uint32_t i = 4; i < nodesize; ++i) {
    h ^= block[i];
    h *= 16777619u;
  }
  return h;
}

void SetTreeBlockChecksum(uint8_t* block, uint32_t nodesize) {
  PutLe32(block + kHeaderCsumOffset, TreeBlockChecksum(block, nodesize));
}

void FormatTreeBlock(uint8_t* block, uint32_t nodesize, uint64_t bytenr,
                     uint64_t generation, int level,
                     const std::vector<BlockItem>& items) {
  FL_CHECK(items.size() <= MaxItems(nodesize));
  std::memset(block, 0, nodesize);
  PutLe64(block + kHeaderBytenrOffset, bytenr);
  PutLe64(block + kHeaderGenerationOffset, generation);
  block[kHeaderLevelOffset] = static_cast<uint8_t>(level);
  PutLe32(block + kHeaderNritemsOffset, static_cast<uint32_t>(items.size()));
  for (size_t i = 0; i < items.size(); ++i) {
    uint8_t* item = block + kHeaderSize + i * kItemSize;
    PutLe64(item, items[i].key);
    PutLe64(item + 8, items[i].value);
  }
  SetTreeBlockChecksum(block, nodesize);
}

int CheckTreeBlock(const uint8_t* block, uint32_t nodesize, uint64_t bytenr) {
  if (GetLe32(block + kHeaderCsumOffset) != TreeBlockChecksum(block, nodesize))
    return -kEUCLEAN;
  if (GetLe64(block + kHeaderBytenrOffset) != bytenr) return -kEIO;
  if (block[kHeaderLevelOffset] >= kMaxLevel) return -kEIO;
  if (GetLe32(block + kHeaderNritemsOffset) > MaxItems(nodesize)) return -kEIO;
  return 0;
}

Disk::Disk(uint64_t size_bytes, uint32_t nodesize)
    : size_bytes_(size_bytes), nodesize_(nodesize), image_(size_bytes, 0) {}

void Disk::Read(uint64_t bytenr, uint8_t* dst, size_t len) const {
  base::MutexLock lock(&mu_);
  FL_CHECK(bytenr + len <= size_bytes_);
  std::memcpy(dst, image_.data() + bytenr, len);
}

void Disk::Write(uint64_t bytenr, const uint8_t* src, size_t len) {
  base::MutexLock lock(&mu_);
  FL_CHECK(bytenr + len <= size_bytes_);
  std::memcpy(image_.data() + bytenr, src, len);
}

void Disk::WriteTreeBlock(uint64_t bytenr, int level, uint64_t generation,
                          const std::vector<BlockItem>& items) {
  std::vector<uint8_t> block(nodesize_);
  FormatTreeBlock(block.data(), nodesize_, bytenr, generation, level, items);
  Write(bytenr, block.data(), block.size());
}

void Disk::Corrupt(uint64_t bytenr) {
  base::MutexLock lock(&mu_);
  FL_CHECK(bytenr + nodesize_ <= size_bytes_);
  image_[bytenr + nodesize_ - 1] ^= 0x5a;
}

}  // namespace btrfs_eb
}  // namespace faultline
