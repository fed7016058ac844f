// The simulated device and the tree block format (see disk.h).
#include "btrfs_eb/disk.h"

#include <algorithm>
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

// FNV-1a, 32 bit: deterministic and dependency-free. A zero byte only
// multiplies by the prime (xor with 0 changes nothing), so an all-zero
// 8-byte word is one multiplication by prime^8: tree blocks are mostly
// zeros, and this is the same checksum at a fraction of the cost.
uint32_t TreeBlockChecksum(const uint8_t* block, uint32_t nodesize) {
  constexpr uint32_t kPrime = 16777619u;
  constexpr uint32_t kPrime8 =
      kPrime * kPrime * kPrime * kPrime * kPrime * kPrime * kPrime * kPrime;
  uint32_t h = 2166136261u;
  uint32_t i = 4;
  for (; i < 8 && i < nodesize; ++i) h = (h ^ block[i]) * kPrime;
  for (; i + 8 <= nodesize; i += 8) {
    uint64_t word;
    std::memcpy(&word, block + i, sizeof(word));
    if (word == 0) {
      h *= kPrime8;
      continue;
    }
    for (uint32_t j = i; j < i + 8; ++j) h = (h ^ block[j]) * kPrime;
  }
  for (; i < nodesize; ++i) h = (h ^ block[i]) * kPrime;
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
    : size_bytes_(size_bytes),
      nodesize_(nodesize),
      chunks_((size_bytes + kChunkBytes - 1) / kChunkBytes) {}

uint8_t* Disk::WritableChunk(uint64_t bytenr) {
  std::unique_ptr<uint8_t[]>& chunk = chunks_[bytenr / kChunkBytes];
  if (chunk == nullptr) chunk.reset(new uint8_t[kChunkBytes]());
  return chunk.get();
}

void Disk::Read(uint64_t bytenr, uint8_t* dst, size_t len) const {
  base::MutexLock lock(&mu_);
  FL_CHECK(bytenr + len <= size_bytes_);
  while (len > 0) {
    const uint64_t offset = bytenr % kChunkBytes;
    const size_t n = std::min<uint64_t>(len, kChunkBytes - offset);
    const uint8_t* chunk = chunks_[bytenr / kChunkBytes].get();
    if (chunk == nullptr) {
      std::memset(dst, 0, n);
    } else {
      std::memcpy(dst, chunk + offset, n);
    }
    bytenr += n;
    dst += n;
    len -= n;
  }
}

void Disk::Write(uint64_t bytenr, const uint8_t* src, size_t len) {
  base::MutexLock lock(&mu_);
  FL_CHECK(bytenr + len <= size_bytes_);
  while (len > 0) {
    const uint64_t offset = bytenr % kChunkBytes;
    const size_t n = std::min<uint64_t>(len, kChunkBytes - offset);
    std::memcpy(WritableChunk(bytenr) + offset, src, n);
    bytenr += n;
    src += n;
    len -= n;
  }
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
  const uint64_t last = bytenr + nodesize_ - 1;
  WritableChunk(last)[last % kChunkBytes] ^= 0x5a;
}

}  // namespace btrfs_eb
}  // namespace faultline
