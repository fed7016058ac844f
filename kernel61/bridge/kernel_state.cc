// KernelState (kernel_state.h): the side tables of one iteration's kernel
// world - slab objects with their poison-on-free quarantine, the faultline
// locks and wait queues found by address - and the one state that is
// current.
#include "kernel61/bridge/kernel_state.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "framework/check.h"

namespace kernel61 {
namespace {

std::atomic<KernelState*> g_current{nullptr};

constexpr unsigned char kPoisonFree = 0x6b;  // SLUB's POISON_FREE

}  // namespace

KernelState::KernelState() {
  KernelState* expected = nullptr;
  FL_CHECK(g_current.compare_exchange_strong(expected, this));
}

KernelState::~KernelState() {
  rcu_.reset();
  g_current.store(nullptr);
  for (auto& [address, object] : objects_) {
    std::free(reinterpret_cast<void*>(address));
  }
}

KernelState* KernelState::Current() { return g_current.load(); }

const KernelState::Object* KernelState::Find(uintptr_t address,
                                             uintptr_t* start) const {
  auto it = objects_.upper_bound(address);
  if (it == objects_.begin()) return nullptr;
  --it;
  if (address >= it->first + it->second.size) return nullptr;
  *start = it->first;
  return &it->second;
}

void* KernelState::Alloc(const char* cache, size_t size) {
  void* memory = std::calloc(1, size);
  FL_CHECK(memory != nullptr);
  std::lock_guard<std::mutex> lock(mu_);
  objects_[reinterpret_cast<uintptr_t>(memory)] =
      Object{size, cache, false, false, next_serial_++};
  latest_[cache] = memory;
  return memory;
}

std::string KernelState::Free(const char* cache, void* object,
                              bool quarantine) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(reinterpret_cast<uintptr_t>(object));
  if (it == objects_.end()) return "free of memory that is not a slab object";
  if (it->second.freed) return absl::StrCat("double free of a ", cache);
  if (it->second.cache != cache) {
    return absl::StrCat("freed to cache ", cache, ", allocated from ",
                        it->second.cache);
  }
  // Poisoned and kept: the address is never handed out again this
  // iteration, so a stale pointer stays detectable.
  if (quarantine) std::memset(object, kPoisonFree, it->second.size);
  it->second.freed = true;
  it->second.quarantined = quarantine;
  latest_.erase(it->second.cache);  // recomputed by the next LatestLive
  return "";
}

bool KernelState::IsFreed(const void* address) const {
  std::lock_guard<std::mutex> lock(mu_);
  uintptr_t start = 0;
  const Object* o = Find(reinterpret_cast<uintptr_t>(address), &start);
  return o != nullptr && o->quarantined;
}

int KernelState::Live(const std::string& cache) const {
  std::lock_guard<std::mutex> lock(mu_);
  int n = 0;
  for (const auto& [address, object] : objects_) {
    if (!object.freed && object.cache == cache) ++n;
  }
  return n;
}

const void* KernelState::LatestLive(const std::string& cache) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto cached = latest_.find(cache);
  if (cached != latest_.end()) return cached->second;
  const void* latest = nullptr;
  uint64_t serial = 0;
  for (const auto& [address, object] : objects_) {
    if (!object.freed && object.cache == cache && object.serial > serial) {
      serial = object.serial;
      latest = reinterpret_cast<const void*>(address);
    }
  }
  return latest;
}

std::vector<std::string> KernelState::HeldLocks() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> held;
  for (const auto& [address, l] : spin_locks_) {
    if (l->PeekLocked()) held.push_back(l->label());
  }
  return held;
}

faultline::SpinLock* KernelState::SpinLockAt(const void* address,
                                             const char* label) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = spin_locks_[address];
  if (slot == nullptr) slot = std::make_unique<faultline::SpinLock>(label);
  return slot.get();
}

faultline::WaitQueue* KernelState::PageWaitAt(const void* flags) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = page_waits_[flags];
  if (slot == nullptr)
    slot = std::make_unique<faultline::WaitQueue>("page wait");
  return slot.get();
}

void KernelState::Submit(void* bio) {
  FL_CHECK(on_submit_ != nullptr);
  on_submit_(bio);
}

}  // namespace kernel61
