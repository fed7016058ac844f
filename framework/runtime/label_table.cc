// The label table (see label_table.h): a map from address to label under
// one lock, with a count so that destroying an atomic while no label is
// recorded takes no lock.
#include "framework/runtime/label_table.h"

#include <atomic>
#include <cstddef>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "framework/base/mutex.h"

namespace faultline {
namespace internal {

const char kAtomicLabel[] = "atomic";
const char kPointerLabel[] = "pointer";

namespace {

struct Table {
  base::Mutex mu;
  absl::flat_hash_map<const void*, const char*> labels ABSL_GUARDED_BY(mu);
  std::atomic<size_t> size{0};
};

// Never destroyed: atomics with static storage duration may be destroyed
// after any other static object.
Table& GetTable() {
  static Table* const table = new Table;
  return *table;
}

}  // namespace

void SetLabel(const void* object, const char* label) {
  Table& table = GetTable();
  base::MutexLock lock(&table.mu);
  table.labels.insert_or_assign(object, label);
  table.size.store(table.labels.size(), std::memory_order_relaxed);
}

void ForgetLabel(const void* object) {
  Table& table = GetTable();
  // An object's own SetLabel happened before its destructor on this
  // thread, so a zero here means it has no entry.
  if (table.size.load(std::memory_order_relaxed) == 0) return;
  base::MutexLock lock(&table.mu);
  table.labels.erase(object);
  table.size.store(table.labels.size(), std::memory_order_relaxed);
}

const char* LabelOf(const void* object, const char* fallback) {
  Table& table = GetTable();
  if (table.size.load(std::memory_order_relaxed) == 0) return fallback;
  base::MutexLock lock(&table.mu);
  auto it = table.labels.find(object);
  return it != table.labels.end() ? it->second : fallback;
}

const char* ResolveLabel(const void* object, const char* label) {
  if (label == kAtomicLabel || label == kPointerLabel) {
    return LabelOf(object, label);
  }
  return label;
}

}  // namespace internal
}  // namespace faultline
