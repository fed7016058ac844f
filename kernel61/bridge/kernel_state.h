// -----------------------------------------------------------------------------
// File: kernel_state.h
// -----------------------------------------------------------------------------
//
// KernelState is one iteration's kernel-side world for the C shim: the
// side tables that give zero-filled kernel locks their faultline locks, the
// slab with its poison-on-free quarantine, the RCU domain, and what happens
// to a submitted bio. The bridge's C functions (bridge.h) act on the one
// KernelState that is current; a scenario makes it with World::Make, which
// installs it, and the World's teardown uninstalls it and frees all kernel
// memory, quarantine included.
//
// This file, kernel_state.cc and bridge.cc are the only kernel61 code that
// knows faultline's runtime headers.
//
// Example:
//   auto* kernel = world.Make<kernel61::KernelState>();
//   kernel->set_on_submit([&world, ops](void* bio) {
//     world.Spawn("io", [ops, bio] { ops->complete_bio(bio); }, "io");
//   });
//
// Thread-safety: the tables are guarded by a mutex; the scenario runs on
// the fiber backend (one thread).

#ifndef KERNEL61_BRIDGE_KERNEL_STATE_H_
#define KERNEL61_BRIDGE_KERNEL_STATE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "framework/runtime/rcu.h"
#include "framework/runtime/spin_lock.h"
#include "framework/runtime/wait_queue.h"

namespace kernel61 {

class KernelState {
 public:
  KernelState();   // becomes the current state (one at a time)
  ~KernelState();  // stops being current; frees every slab object
  KernelState(const KernelState&) = delete;
  KernelState& operator=(const KernelState&) = delete;

  static KernelState* Current();

  // Called (on the submitting task) for every submitted bio.
  void set_on_submit(std::function<void(void*)> on_submit) {
    on_submit_ = std::move(on_submit);
  }

  // --- For quiescence checks and state probes (no scheduling points).
  int Live(const std::string& cache) const;
  // The most recent live object of `cache`, or nullptr.
  const void* LatestLive(const std::string& cache) const;
  // Labels of spinlocks still held (page locks are page->flags bits).
  std::vector<std::string> HeldLocks() const;
  int RcuReaders() const { return rcu_->PeekReaders(); }

  // --- For bridge.cc.
  faultline::SpinLock* SpinLockAt(const void* address, const char* label);
  // The wait queue of the page whose flags word is at `flags`.
  faultline::WaitQueue* PageWaitAt(const void* flags);
  faultline::Rcu& rcu() { return *rcu_; }
  void* Alloc(const char* cache, size_t size);
  // Empty if freed; else why not ("double free", "not a slab object", ...).
  // A quarantined object is poisoned and any later operation on it is a
  // use-after-free; a page (quarantine false) only stops counting as live.
  std::string Free(const char* cache, void* object, bool quarantine = true);
  bool IsFreed(const void* address) const;
  void Submit(void* bio);

 private:
  struct Object {
    size_t size = 0;
    std::string cache;
    bool freed = false;
    bool quarantined = false;
    uint64_t serial = 0;
  };
  // The object containing `address`, or nullptr. Requires mu_.
  const Object* Find(uintptr_t address, uintptr_t* start) const;

  mutable std::mutex mu_;                // guards the maps below
  std::map<uintptr_t, Object> objects_;  // by start address; ordered lookups
  uint64_t next_serial_ = 1;
  // The newest live object per cache while it is known: the state probe
  // asks at every note.
  std::map<std::string, const void*> latest_;
  std::map<const void*, std::unique_ptr<faultline::SpinLock>> spin_locks_;
  std::map<const void*, std::unique_ptr<faultline::WaitQueue>> page_waits_;
  // Destroyed first, while this state is still current: its destructor
  // runs pending callbacks, which free kernel objects through the bridge.
  std::unique_ptr<faultline::Rcu> rcu_ =
      std::make_unique<faultline::Rcu>("rcu");
  std::function<void(void*)> on_submit_;
};

}  // namespace kernel61

#endif  // KERNEL61_BRIDGE_KERNEL_STATE_H_
