// -----------------------------------------------------------------------------
// File: btrfs_eb/invariant_index.h
// -----------------------------------------------------------------------------
//
// What the incremental step invariants (invariants.h) need to check only what
// a step changed: a map from the objects instrumented operations report
// (an eb's refs, io_pages, bflags and refs_lock, a page's refcount, flags
// and private, a buffer radix slot) back to the model object they belong
// to, and the extent buffers whose uninstrumented bookkeeping changed
// (MarkDead, MarkFreed, SetIoInFlight), which no operation reports.
//
// FsInfo owns one; the eb arena, the page arena and the radix register into
// it as they create objects.
//
// Example:
//   fs_info->invariant_index()->AddExtentBuffer(eb);
//   InvariantIndex::Changes changes;
//   fs_info->invariant_index()->Collect(touched, &changes);
//
// Thread-safety: thread-safe (objects are created on every task thread
// under the thread backend; only the fiber backend collects).

#ifndef FAULTLINE_BTRFS_EB_INVARIANT_INDEX_H_
#define FAULTLINE_BTRFS_EB_INVARIANT_INDEX_H_

#include <cstdint>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/types/span.h"
#include "framework/base/spin_mutex.h"

namespace faultline {
namespace btrfs_eb {

class ExtentBuffer;
class Page;

class InvariantIndex {
 public:
  // The model objects one step changed, each once, in creation order (ebs
  // by id, pages by id, radix slots by index), so a step that breaks two
  // invariants reports the one a full sweep would report first.
  struct Changes {
    std::vector<const ExtentBuffer*> ebs;
    std::vector<uint64_t> radix_slots;
    std::vector<const Page*> pages;
    void Clear() {
      ebs.clear();
      radix_slots.clear();
      pages.clear();
    }
  };

  InvariantIndex() = default;
  InvariantIndex(const InvariantIndex&) = delete;
  InvariantIndex& operator=(const InvariantIndex&) = delete;

  // Registers a new object's instrumented fields. A new eb or page also
  // counts as changed.
  void AddExtentBuffer(const ExtentBuffer* eb);
  void AddPage(const Page* page);
  void AddRadixSlot(const void* slot, uint64_t index);
  // `eb`'s uninstrumented state (dead, freed) changed.
  void MarkChanged(const ExtentBuffer* eb);

  // Fills `out` with the objects behind `touched` (objects the index does
  // not know, such as locks, are skipped) plus every eb marked changed since
  // the last call, which it forgets.
  void Collect(absl::Span<const void* const> touched, Changes* out);

 private:
  enum class Kind : uint8_t { kEb, kPage, kRadixSlot };
  struct Target {
    Kind kind;
    const void* object;  // the ExtentBuffer or Page
    uint64_t slot;       // kRadixSlot
  };

  // Collect takes it at every step; Add* take it briefly, from task
  // threads under the thread backend (base/spin_mutex.h says why a spin
  // lock).
  mutable base::SpinMutex mu_;
  absl::flat_hash_map<const void*, Target> targets_ ABSL_GUARDED_BY(mu_);
  std::vector<const ExtentBuffer*> changed_ ABSL_GUARDED_BY(mu_);
};

}  // namespace btrfs_eb
}  // namespace faultline

#endif  // FAULTLINE_BTRFS_EB_INVARIANT_INDEX_H_
