// The label table (see label_table.h): maps from address to label in
// shards, each under its own lock, and a counter per address bucket, read
// without a lock, so that destroying an atomic that has no label takes no
// lock unless a labelled atomic shares its bucket (BENCHMARKS.md, "Drop-in
// primitives": one global lock made every atomic's destructor lock once
// any label existed).
#include "framework/runtime/label_table.h"

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "framework/base/mutex.h"

namespace faultline {
namespace internal {

const char kAtomicLabel[] = "atomic";
const char kPointerLabel[] = "pointer";

namespace {

constexpr size_t kShards = 64;
constexpr size_t kBuckets = 4096;  // a multiple of kShards

struct Entry {
  const char* label;
  bool flags;
};

struct alignas(64) Shard {
  base::Mutex mu;
  absl::flat_hash_map<const void*, Entry> labels ABSL_GUARDED_BY(mu);
};

struct Table {
  Shard shards[kShards];
  // Labels recorded per bucket of addresses; written under the bucket's
  // shard lock.
  std::atomic<uint32_t> counts[kBuckets] = {};
};

// Never destroyed: atomics with static storage duration may be destroyed
// after any other static object.
Table& GetTable() {
  static Table* const table = new Table;
  return *table;
}

// Fibonacci hashing of the address (its low bits are alignment).
size_t BucketOf(const void* object) {
  const uint64_t a = reinterpret_cast<uintptr_t>(object);
  return static_cast<size_t>(((a >> 3) * 0x9E3779B97F4A7C15ULL) >> 52);
}

}  // namespace

static_assert(kBuckets == size_t{1} << 12, "BucketOf takes the top 12 bits");
static_assert(kBuckets % kShards == 0, "a bucket belongs to one shard");

void SetLabel(const void* object, const char* label, bool flags) {
  Table& table = GetTable();
  const size_t bucket = BucketOf(object);
  Shard& shard = table.shards[bucket % kShards];
  base::MutexLock lock(&shard.mu);
  if (shard.labels.insert_or_assign(object, Entry{label, flags}).second) {
    table.counts[bucket].fetch_add(1, std::memory_order_relaxed);
  }
}

void ForgetLabel(const void* object) {
  Table& table = GetTable();
  const size_t bucket = BucketOf(object);
  // An object's own SetLabel happened before its destructor, so a zero
  // here means it has no entry.
  if (table.counts[bucket].load(std::memory_order_relaxed) == 0) return;
  Shard& shard = table.shards[bucket % kShards];
  base::MutexLock lock(&shard.mu);
  if (shard.labels.erase(object) != 0) {
    table.counts[bucket].fetch_sub(1, std::memory_order_relaxed);
  }
}

namespace {

// `object`'s entry, or {fallback, false}.
Entry Find(const void* object, const char* fallback) {
  Table& table = GetTable();
  const size_t bucket = BucketOf(object);
  if (table.counts[bucket].load(std::memory_order_relaxed) == 0) {
    return {fallback, false};
  }
  Shard& shard = table.shards[bucket % kShards];
  base::MutexLock lock(&shard.mu);
  auto it = shard.labels.find(object);
  return it != shard.labels.end() ? it->second : Entry{fallback, false};
}

}  // namespace

const char* LabelOf(const void* object, const char* fallback) {
  return Find(object, fallback).label;
}

bool IsFlagsWord(const void* object) { return Find(object, nullptr).flags; }

const char* ResolveLabel(const void* object, const char* label) {
  if (label == kAtomicLabel || label == kPointerLabel) {
    return LabelOf(object, label);
  }
  return label;
}

}  // namespace internal
}  // namespace faultline
