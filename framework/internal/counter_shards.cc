// Sharded counters of a run (see internal/counter_shards.h).
#include "framework/internal/counter_shards.h"

namespace faultline {
namespace internal {

CounterShards::CounterShards(size_t entries, bool concurrent)
    : entries_(entries), concurrent_(concurrent) {
  if (!concurrent_) {
    base::MutexLock lock(&mu_);
    single_ = NewShardLocked();
  }
}

CounterShards::Counter* CounterShards::Acquire() {
  if (!concurrent_) return single_;
  base::MutexLock lock(&mu_);
  if (!free_.empty()) {
    Counter* shard = free_.back();
    free_.pop_back();
    return shard;
  }
  return NewShardLocked();
}

CounterShards::Counter* CounterShards::NewShardLocked() {
  constexpr size_t kLine = 64 / sizeof(Counter);  // counters per cache line
  const size_t lines = (entries_ + kLine - 1) / kLine;
  shards_.push_back(std::make_unique<Counter[]>((lines + 1) * kLine));
  Counter* start = shards_.back().get();
  while (reinterpret_cast<uintptr_t>(start) % 64 != 0) ++start;
  starts_.push_back(start);
  return start;
}

void CounterShards::Release(Counter* shard) {
  if (!concurrent_) return;
  base::MutexLock lock(&mu_);
  free_.push_back(shard);
}

uint64_t CounterShards::Sum(size_t entry) const {
  base::MutexLock lock(&mu_);
  uint64_t sum = 0;
  for (const Counter* shard : starts_) {
    sum += shard[entry].load(std::memory_order_relaxed);
  }
  return sum;
}

uint64_t CounterShards::SumExcess(size_t a, size_t b) const {
  base::MutexLock lock(&mu_);
  uint64_t sum = 0;
  for (const Counter* shard : starts_) {
    const uint64_t x = shard[a].load(std::memory_order_relaxed);
    const uint64_t y = shard[b].load(std::memory_order_relaxed);
    sum += x > y ? x - y : 0;
  }
  return sum;
}

}  // namespace internal
}  // namespace faultline
