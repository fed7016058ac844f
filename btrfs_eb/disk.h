// -----------------------------------------------------------------------------
// File: btrfs_eb/disk.h
// -----------------------------------------------------------------------------
//
// The simulated device under the btree inode: a byte image holding
// checksummed tree blocks, read and written page by page by bios. It plays
// the hardware, so it is not instrumented (a DMA transfer is not a scheduling
// point); an internal mutex keeps it safe under the thread backend.
//
// The image is sparse: it is kept in chunks that are allocated on their
// first write, and a chunk never written reads as zeros. Every iteration
// builds a fresh device, and zeroing the whole image up front was 7% of a
// seed-race schedule, which writes one block of it.
//
// Tree block layout (MODEL: a reduced btrfs_header):
//   [0,4)   csum over bytes [4, nodesize)   (FNV-1a; MODEL: not crc32c)
//   [8,16)  bytenr     [16,24) generation   [24] level   [28,32) nritems
//   [32,..) nritems items of {u64 key, u64 value}; a node's value is the
//           child's bytenr, a leaf's value is payload.
//
// Example:
//   Disk disk(/*size=*/1 << 20, /*nodesize=*/16384);
//   disk.WriteTreeBlock(65536, /*level=*/0, /*generation=*/1, items);
//   int err = CheckTreeBlock(buf, 16384, 65536);  // 0, -EUCLEAN or -EIO
//
// Thread-safety: thread-safe.

#ifndef FAULTLINE_BTRFS_EB_DISK_H_
#define FAULTLINE_BTRFS_EB_DISK_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "framework/base/mutex.h"

namespace faultline {
namespace btrfs_eb {

inline constexpr int kEIO = 5;
inline constexpr int kENOMEM = 12;
inline constexpr int kEEXIST = 17;
inline constexpr int kEINVAL = 22;
inline constexpr int kEAGAIN = 11;
inline constexpr int kEUCLEAN = 117;

inline constexpr size_t kHeaderCsumOffset = 0;
inline constexpr size_t kHeaderBytenrOffset = 8;
inline constexpr size_t kHeaderGenerationOffset = 16;
inline constexpr size_t kHeaderLevelOffset = 24;
inline constexpr size_t kHeaderNritemsOffset = 28;
inline constexpr size_t kHeaderSize = 32;
inline constexpr size_t kItemSize = 16;
inline constexpr int kMaxLevel = 8;  // BTRFS_MAX_LEVEL

struct BlockItem {
  uint64_t key;
  uint64_t value;
};

// Little-endian field access inside a block image.
uint64_t GetLe64(const uint8_t* p);
uint32_t GetLe32(const uint8_t* p);
void PutLe64(uint8_t* p, uint64_t v);
void PutLe32(uint8_t* p, uint32_t v);

// Items that fit in one block of `nodesize` bytes.
size_t MaxItems(uint32_t nodesize);
// The checksum of a block image (btrfs_csum_data over [4, nodesize)).
uint32_t TreeBlockChecksum(const uint8_t* block, uint32_t nodesize);
// Writes the header's csum field (csum_tree_block at write time).
void SetTreeBlockChecksum(uint8_t* block, uint32_t nodesize);
// Formats a whole block image with a valid checksum.
void FormatTreeBlock(uint8_t* block, uint32_t nodesize, uint64_t bytenr,
                     uint64_t generation, int level,
                     const std::vector<BlockItem>& items);
// btree_readpage_end_io_hook's validation: 0, -EUCLEAN on a
// checksum mismatch, -EIO on a wrong bytenr, level or item count.
int CheckTreeBlock(const uint8_t* block, uint32_t nodesize, uint64_t bytenr);

class Disk {
 public:
  Disk(uint64_t size_bytes, uint32_t nodesize);
  Disk(const Disk&) = delete;
  Disk& operator=(const Disk&) = delete;

  uint64_t size_bytes() const { return size_bytes_; }
  uint32_t nodesize() const { return nodesize_; }

  // Device transfers of [bytenr, bytenr+len).
  void Read(uint64_t bytenr, uint8_t* dst, size_t len) const;
  void Write(uint64_t bytenr, const uint8_t* src, size_t len);
  // mkfs: writes a formatted, checksummed block.
  void WriteTreeBlock(uint64_t bytenr, int level, uint64_t generation,
                      const std::vector<BlockItem>& items);
  // Flips one payload byte of the block at `bytenr` (a torn or bit-rotted
  // block: the next read sees a checksum mismatch).
  void Corrupt(uint64_t bytenr);

 private:
  // Bytes per chunk of the sparse image (a power of two).
  static constexpr uint64_t kChunkBytes = 4096;

  // The chunk holding `bytenr`, allocated (zeroed) if absent.
  uint8_t* WritableChunk(uint64_t bytenr) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const uint64_t size_bytes_;
  const uint32_t nodesize_;
  // base::Mutex: a std::mutex, which TSAN sees (framework/run_context.h
  // says why)
  mutable base::Mutex mu_;
  // kChunkBytes each; nullptr reads as zeros.
  std::vector<std::unique_ptr<uint8_t[]>> chunks_ ABSL_GUARDED_BY(mu_);
};

}  // namespace btrfs_eb
}  // namespace faultline

#endif  // FAULTLINE_BTRFS_EB_DISK_H_
