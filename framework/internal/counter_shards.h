// -----------------------------------------------------------------------------
// File: internal/counter_shards.h
// -----------------------------------------------------------------------------
//
// The counters of a concurrent run, split so that hits on different threads
// never write the same cache line. Each installation of the run
// (ScopedRunContext) takes a shard and counts into it with plain loads and
// stores; readers sum an entry over every shard ever handed out. A run that
// is not concurrent (the fiber backend) has exactly one shard, shared by
// every installation. Private to the run context (run_context.h says why
// these are std:: locks).
//
// Thread-safety: Acquire, Release and Sum may be called from any thread.
// Only the installation that holds a shard writes its entries.

#ifndef FAULTLINE_FRAMEWORK_INTERNAL_COUNTER_SHARDS_H_
#define FAULTLINE_FRAMEWORK_INTERNAL_COUNTER_SHARDS_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "framework/base/mutex.h"

namespace faultline {
namespace internal {

class CounterShards {
 public:
  using Counter = std::atomic<uint64_t>;

  // Shards of `entries` counters each.
  CounterShards(size_t entries, bool concurrent);
  CounterShards(const CounterShards&) = delete;
  CounterShards& operator=(const CounterShards&) = delete;

  // A shard for one installation: a free one, else a new one. Its counts
  // stay until the run ends.
  Counter* Acquire();
  void Release(Counter* shard);
  // Entry `entry` summed over every shard.
  uint64_t Sum(size_t entry) const;
  // The sum over every shard of max(0, shard[a] - shard[b]) (per shard, so
  // that a read while the run counts never goes below zero).
  uint64_t SumExcess(size_t a, size_t b) const;

  // A shard entry: only the installation that owns the shard writes it.
  static void Add(Counter& counter) {
    counter.store(counter.load(std::memory_order_relaxed) + 1,
                  std::memory_order_relaxed);
  }

 private:
  Counter* NewShardLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t entries_;
  const bool concurrent_;
  mutable base::Mutex mu_;
  // Every shard ever handed out; with concurrent = false exactly one.
  std::vector<std::unique_ptr<Counter[]>> shards_ ABSL_GUARDED_BY(mu_);
  // Where each shard of shards_ starts: on a cache line of its own, so that
  // its counters share no line with other data (a hit stores to them).
  std::vector<Counter*> starts_ ABSL_GUARDED_BY(mu_);
  std::vector<Counter*> free_ ABSL_GUARDED_BY(mu_);
  Counter* single_ = nullptr;  // concurrent = false
};

}  // namespace internal
}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_INTERNAL_COUNTER_SHARDS_H_
