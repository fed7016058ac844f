// FsInfo, the buffer radix tree and the extent buffer arena (see
// fs_info.h), plus ExtentBuffer's bookkeeping members.
#include "btrfs_eb/fs_info.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "btrfs_eb/bio.h"
#include "btrfs_eb/disk.h"
#include "framework/check.h"

namespace faultline {
namespace btrfs_eb {

BufferRadix::BufferRadix(uint64_t nr_slots) {
  for (uint64_t i = 0; i < nr_slots; ++i) {
    slots_.emplace_back(nullptr, "fs_info.buffer_radix.slot");
  }
}

int BufferRadix::Insert(uint64_t index, ExtentBuffer* eb) {
  FL_CHECK(index < slots_.size());
  if (slots_[index].Read() != nullptr) return -kEEXIST;
  slots_[index].Set(eb);
  eb->MarkPublished();
  return 0;
}

void BufferRadix::Delete(uint64_t index) {
  FL_CHECK(index < slots_.size());
  slots_[index].Set(nullptr);
}

ExtentBuffer* BufferRadix::Lookup(uint64_t index) {
  FL_CHECK(index < slots_.size());
  return slots_[index].Read();
}

ExtentBuffer* BufferRadix::Peek(uint64_t index) const {
  return slots_[index].Peek();
}

FsInfo::FsInfo(const FsInfoOptions& options)
    : options_(options),
      behaviour_(BehaviourOf(options.variant)),
      disk_(options.disk_bytes, options.nodesize),
      mapping_(options.disk_bytes >> options.page_shift, options.page_shift),
      radix_(options.disk_bytes >> options.page_shift) {
  // MODEL: nodesize >= PAGE_SIZE (no subpage ebs), both powers of two.
  FL_CHECK(options.nodesize >= page_size());
  FL_CHECK(options.nodesize % page_size() == 0);
  FL_CHECK(options.nodesize / page_size() <= kInlineExtentBufferPages);
  mapping_.set_invariant_index(&index_);
  for (uint64_t i = 0; i < radix_.nr_slots(); ++i) {
    index_.AddRadixSlot(radix_.SlotObject(i), i);
  }
}

FsInfo::~FsInfo() = default;

int FsInfo::pages_per_node() const {
  return static_cast<int>(options_.nodesize >> options_.page_shift);
}

ExtentBuffer* FsInfo::NewExtentBuffer(uint64_t start, uint32_t len) {
  FL_CHECK(start + len <= options_.disk_bytes);
  const int num_pages =
      static_cast<int>(((start + len + page_size() - 1) >> page_shift()) -
                       (start >> page_shift()));
  ExtentBuffer* eb;
  {
    base::MutexLock lock(&arena_mu_);
    ebs_.push_back(std::make_unique<ExtentBuffer>(
        this, start, len, num_pages, static_cast<uint32_t>(ebs_.size())));
    eb = ebs_.back().get();
  }
  index_.AddExtentBuffer(eb);
  return eb;
}

ExtentBuffer* FsInfo::PeekLatestExtentBuffer(uint64_t start) const {
  base::MutexLock lock(&arena_mu_);
  for (auto it = ebs_.rbegin(); it != ebs_.rend(); ++it) {
    if ((*it)->PeekStart() == start) return it->get();
  }
  return nullptr;
}

ExtentBuffer* FsInfo::PeekVisibleExtentBuffer(uint64_t start) const {
  if (ExtentBuffer* eb = radix_.Peek(start >> page_shift())) return eb;
  base::MutexLock lock(&arena_mu_);
  for (auto it = ebs_.rbegin(); it != ebs_.rend(); ++it) {
    if ((*it)->PeekStart() == start && (*it)->PeekPublished()) return it->get();
  }
  return nullptr;
}

void FsInfo::QueueBio(std::unique_ptr<Bio> bio) {
  base::MutexLock lock(&bio_mu_);
  deferred_.push_back(std::move(bio));
}

std::unique_ptr<Bio> FsInfo::TakeDeferredBio() {
  base::MutexLock lock(&bio_mu_);
  if (deferred_.empty()) return nullptr;
  std::unique_ptr<Bio> bio = std::move(deferred_.front());
  deferred_.pop_front();
  return bio;
}

size_t FsInfo::PeekDeferredBios() const {
  base::MutexLock lock(&bio_mu_);
  return deferred_.size();
}

ExtentBuffer::ExtentBuffer(FsInfo* fs_info, uint64_t start, uint32_t len,
                           int num_pages, uint32_t id)
    : start_(start),
      len_(len),
      fs_info_(fs_info),
      num_pages_(num_pages),
      id_(id) {
  FL_CHECK(num_pages <= kInlineExtentBufferPages);
}

void ExtentBuffer::MarkDead() {
  dead_.store(true, std::memory_order_release);
  if (fs_info_ != nullptr) fs_info_->invariant_index()->MarkChanged(this);
}

void ExtentBuffer::SetIoInFlight(bool in_flight) {
  io_in_flight_.store(in_flight);
  if (fs_info_ != nullptr) fs_info_->invariant_index()->MarkChanged(this);
}

void ExtentBuffer::MarkFreed() {
  const bool was_freed = freed_.exchange(true, std::memory_order_acq_rel);
  if (fs_info_ != nullptr) fs_info_->invariant_index()->MarkChanged(this);
  FL_BUG_ON(was_freed, "eb.double_free");
}

std::string ExtentBuffer::Describe() const {
  return absl::StrCat(
      "eb#", id_, " refs=", PeekRefs(), " io_pages=", PeekIoPages(), " ",
      ExtentBufferFlagsString(PeekFlags()), PeekFreed() ? " FREED" : "");
}

std::string ExtentBufferFlagsString(unsigned long bflags) {
  static const char* const kNames[] = {
      "UPTODATE",  "DIRTY",    "CORRUPT",  "READAHEAD", "TREE_REF",  "STALE",
      "WRITEBACK", "READ_ERR", "UNMAPPED", "IN_TREE",   "WRITE_ERR", "READING"};
  std::string out;
  for (int bit = 0; bit <= EXTENT_BUFFER_READING; ++bit) {
    if ((bflags >> bit) & 1UL) {
      if (!out.empty()) out += "|";
      out += kNames[bit];
    }
  }
  return out.empty() ? "-" : out;
}

}  // namespace btrfs_eb
}  // namespace faultline
