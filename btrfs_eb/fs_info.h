// -----------------------------------------------------------------------------
// File: btrfs_eb/fs_info.h
// -----------------------------------------------------------------------------
//
// struct btrfs_fs_info, reduced to what the extent buffer lifecycle touches
// (fs/btrfs/ctree.h, v5.8): the btree inode's page cache, the buffer radix tree
// with its buffer_lock and RCU, the simulated disk, the kernel variant, and how
// bios complete. It also owns every ExtentBuffer ever allocated (the arena), so
// a freed eb stays readable for the use-after-free check.
//
// A scenario creates one FsInfo per iteration with World::Make, calls
// set_world() so completions can be spawned as tasks, and hands the pointer
// to hooks with world.run().set_world(fs_info).
//
// Example:
//   FsInfoOptions options;
//   options.nodesize = 4096;
//   auto* fs = world.Make<FsInfo>(options);
//   fs->set_world(&world);
//
// Thread-safety: members are instrumented primitives or internally locked.

#ifndef FAULTLINE_BTRFS_EB_FS_INFO_H_
#define FAULTLINE_BTRFS_EB_FS_INFO_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "btrfs_eb/disk.h"
#include "btrfs_eb/extent_buffer.h"
#include "btrfs_eb/invariant_index.h"
#include "btrfs_eb/page.h"
#include "btrfs_eb/variant.h"
#include "framework/base/mutex.h"
#include "framework/runtime/atomic.h"
#include "framework/runtime/rcu.h"
#include "framework/runtime/spin_lock.h"

namespace faultline {

class World;

namespace btrfs_eb {

struct Bio;

// How a submitted bio completes.
enum class IoMode {
  // A new task ("endio<N>", role "endio") runs the completion, like the
  // endio_meta workqueue. Needs set_world().
  kTask,
  // Queued; RunDeferredBios() completes them (single-task unit tests that
  // want to place the completion at a chosen step).
  kDeferred,
  // Completed inside submit_bio by the submitter (single-task tests that
  // need WAIT_COMPLETE reads).
  kInline,
};

struct FsInfoOptions {
  uint32_t nodesize = 16384;
  int page_shift = 12;            // 4 KiB pages
  uint32_t sectorsize = 4096;     // alignment alloc_extent_buffer checks
  uint64_t disk_bytes = 1 << 20;  // size of the device and the btree inode
  KernelVariant variant = KernelVariant::kPostFix;
  IoMode io_mode = IoMode::kTask;
  // false: the BUG_ON in btrfs_release_extent_buffer_pages becomes a
  // WARN_ON, so the iteration goes on and shows the use-after-free that
  // follows.
  bool bug_on_under_io = true;
  // true: WARN "eb.io_pinned" when a bio is submitted for an eb without
  // TREE_REF (the root-cause invariant I-io-pinned, docs/btrfs_eb.md).
  bool check_io_pinned = false;
  // true: the step invariants sweep every eb, radix slot and page after
  // every step instead of only what the step changed (a debugging aid; the
  // result is the same, invariants_test checks it).
  bool sweep_invariants_every_step = false;
};

// fs_info->buffer_radix: start >> page_shift -> ExtentBuffer*. Inserts and
// deletes under buffer_lock; lookups under rcu_read_lock only.
class BufferRadix {
 public:
  explicit BufferRadix(uint64_t nr_slots);
  // radix_tree_insert: 0, or -EEXIST if the slot is taken.
  // REQUIRES: buffer_lock held.
  int Insert(uint64_t index, ExtentBuffer* eb);
  // radix_tree_delete. REQUIRES: buffer_lock held.
  void Delete(uint64_t index);
  // radix_tree_lookup. REQUIRES: rcu_read_lock or buffer_lock.
  ExtentBuffer* Lookup(uint64_t index);
  // Uninstrumented, for invariants and probes.
  ExtentBuffer* Peek(uint64_t index) const;
  uint64_t nr_slots() const { return slots_.size(); }
  // The object operations on slot `index` report (InvariantIndex).
  const void* SlotObject(uint64_t index) const { return &slots_[index]; }

 private:
  std::deque<AtomicPtr<ExtentBuffer>> slots_;
};

class FsInfo {
 public:
  explicit FsInfo(const FsInfoOptions& options);
  ~FsInfo();
  FsInfo(const FsInfo&) = delete;
  FsInfo& operator=(const FsInfo&) = delete;

  const FsInfoOptions& options() const { return options_; }
  const Behaviour& behaviour() const { return behaviour_; }
  uint32_t nodesize() const { return options_.nodesize; }
  int page_shift() const { return options_.page_shift; }
  size_t page_size() const { return size_t{1} << options_.page_shift; }
  int pages_per_node() const;

  AddressSpace* btree_mapping() { return &mapping_; }
  const AddressSpace* btree_mapping() const { return &mapping_; }
  Disk* disk() { return &disk_; }
  BufferRadix* buffer_radix() { return &radix_; }
  const BufferRadix* buffer_radix() const { return &radix_; }
  SpinLock& buffer_lock() { return buffer_lock_; }
  // Maps operation objects back to ebs, pages and radix slots for the
  // incremental step invariants (invariants.h).
  InvariantIndex* invariant_index() { return &index_; }
  Rcu& rcu() { return rcu_; }

  // The World completion tasks are spawned in (IoMode::kTask).
  void set_world(World* world) { world_ = world; }
  World* world() const { return world_; }

  // kmem_cache_zalloc(extent_buffer_cache): a new eb in the arena.
  ExtentBuffer* NewExtentBuffer(uint64_t start, uint32_t len);
  // Calls `fn(ExtentBuffer&)` for every eb ever allocated, under the arena
  // lock (invariants and probes only: fn must not use instrumented ops).
  template <typename Fn>
  void ForEachExtentBuffer(Fn fn) const {
    base::MutexLock lock(&arena_mu_);
    for (const auto& eb : ebs_) fn(*eb);
  }
  // The most recently allocated eb of `start`, or nullptr (tests).
  ExtentBuffer* PeekLatestExtentBuffer(uint64_t start) const;
  // What a state probe should show for `start`: the eb in the radix tree,
  // else the latest one that was ever inserted (it may be dead or freed),
  // else nullptr. Ebs discarded by a losing allocator are skipped.
  ExtentBuffer* PeekVisibleExtentBuffer(uint64_t start) const;

  // Deferred bios (IoMode::kDeferred).
  void QueueBio(std::unique_ptr<Bio> bio);
  std::unique_ptr<Bio> TakeDeferredBio();
  size_t PeekDeferredBios() const;
  uint64_t NextBioId() { return next_bio_id_.fetch_add(1); }

  // The tree root's node, pinned by one ref for the life of the fs
  // (root->node). Set by mount (ctree.h); nullptr before.
  ExtentBuffer* root_node = nullptr;

 private:
  // The arena is declared first so it is destroyed last: the Rcu destructor
  // runs pending call_rcu callbacks, which mark ebs freed.
  // base::Mutex: a std::mutex, which TSAN sees (framework/run_context.h
  // says why)
  mutable base::Mutex arena_mu_;
  std::vector<std::unique_ptr<ExtentBuffer>> ebs_ ABSL_GUARDED_BY(arena_mu_);
  // Before the objects that register into it.
  InvariantIndex index_;
  const FsInfoOptions options_;
  const Behaviour& behaviour_;
  World* world_ = nullptr;
  Disk disk_;
  AddressSpace mapping_;
  BufferRadix radix_;
  SpinLock buffer_lock_{"fs_info.buffer_lock"};
  Rcu rcu_{"fs_info.rcu"};
  // base::Mutex: a std::mutex, which TSAN sees (framework/run_context.h
  // says why)
  mutable base::Mutex bio_mu_;
  std::deque<std::unique_ptr<Bio>> deferred_ ABSL_GUARDED_BY(bio_mu_);
  std::atomic<uint64_t> next_bio_id_{1};
};

}  // namespace btrfs_eb
}  // namespace faultline

#endif  // FAULTLINE_BTRFS_EB_FS_INFO_H_
