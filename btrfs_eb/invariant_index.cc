// The map from operation objects to model objects behind the incremental
// step invariants (see invariant_index.h).
#include "btrfs_eb/invariant_index.h"

#include <algorithm>

#include "btrfs_eb/extent_buffer.h"
#include "btrfs_eb/page.h"

namespace faultline {
namespace btrfs_eb {
namespace {

// Appends `x` unless present (a step changes one or two objects, so a
// linear scan beats any set).
template <typename T>
void AddOnce(std::vector<T>& v, T x) {
  if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

}  // namespace

void InvariantIndex::AddExtentBuffer(const ExtentBuffer* eb) {
  auto* mut = const_cast<ExtentBuffer*>(eb);
  base::SpinMutexLock lock(&mu_);
  for (const void* field :
       {static_cast<const void*>(&mut->refs()),
        static_cast<const void*>(&mut->io_pages()), mut->bflags().object(),
        // Its release is when the ledger (checked outside it) holds again.
        static_cast<const void*>(&mut->refs_lock())}) {
    targets_[field] = Target{Kind::kEb, eb, 0};
  }
  changed_.push_back(eb);
}

void InvariantIndex::AddPage(const Page* page) {
  base::SpinMutexLock lock(&mu_);
  for (const void* field :
       {static_cast<const void*>(&page->refcount), page->flags.object(),
        static_cast<const void*>(&page->private_ptr)}) {
    targets_[field] = Target{Kind::kPage, page, 0};
  }
}

void InvariantIndex::AddRadixSlot(const void* slot, uint64_t index) {
  base::SpinMutexLock lock(&mu_);
  targets_[slot] = Target{Kind::kRadixSlot, nullptr, index};
}

void InvariantIndex::MarkChanged(const ExtentBuffer* eb) {
  base::SpinMutexLock lock(&mu_);
  changed_.push_back(eb);
}

void InvariantIndex::Collect(absl::Span<const void* const> touched,
                             Changes* out) {
  out->Clear();
  base::SpinMutexLock lock(&mu_);
  if (touched.empty() && changed_.empty()) return;
  for (const void* object : touched) {
    auto it = targets_.find(object);
    if (it == targets_.end()) continue;
    const Target& t = it->second;
    switch (t.kind) {
      case Kind::kEb:
        AddOnce(out->ebs, static_cast<const ExtentBuffer*>(t.object));
        break;
      case Kind::kPage:
        AddOnce(out->pages, static_cast<const Page*>(t.object));
        break;
      case Kind::kRadixSlot:
        AddOnce(out->radix_slots, t.slot);
        break;
    }
  }
  for (const ExtentBuffer* eb : changed_) AddOnce(out->ebs, eb);
  changed_.clear();
  if (out->ebs.size() > 1) {
    std::sort(out->ebs.begin(), out->ebs.end(),
              [](const ExtentBuffer* a, const ExtentBuffer* b) {
                return a->id() < b->id();
              });
  }
  if (out->radix_slots.size() > 1) {
    std::sort(out->radix_slots.begin(), out->radix_slots.end());
  }
  if (out->pages.size() > 1) {
    std::sort(out->pages.begin(), out->pages.end(),
              [](const Page* a, const Page* b) { return a->id < b->id; });
  }
}

}  // namespace btrfs_eb
}  // namespace faultline
