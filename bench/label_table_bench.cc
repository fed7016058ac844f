// What the label table (framework/runtime/label_table.h) costs the drop-in
// atomics, side by side with std::atomic in one run: constructing and
// destroying an atomic with and without a label, with the table empty and
// with one labelled atomic alive elsewhere (then every destructor must find
// out whether its object has an entry), on one thread and on two.
//
//   bazel run -c opt //bench:label_table_bench
//
// Each benchmark iteration constructs and destroys kObjects atomics in a
// noinline function; `per_object` is wall time per construct + destroy.
#include <atomic>
#include <cstdint>
#include <memory>

#include "benchmark/benchmark.h"
#include "framework/runtime/atomic.h"

namespace faultline {
namespace bench {
namespace {

constexpr int64_t kObjects = 1000;

template <typename A>
__attribute__((noinline)) uint64_t Churn(int64_t n) {
  uint64_t sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    A a{static_cast<int>(i)};
    benchmark::DoNotOptimize(&a);
    sum += static_cast<uint64_t>(a.load(std::memory_order_relaxed));
  }
  return sum;
}

__attribute__((noinline)) uint64_t ChurnLabelled(int64_t n) {
  uint64_t sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    Atomic<int> a{static_cast<int>(i), "bench.labelled"};
    benchmark::DoNotOptimize(&a);
    sum += static_cast<uint64_t>(a.load(std::memory_order_relaxed));
  }
  return sum;
}

void Report(benchmark::State& state) {
  state.counters["per_object"] =
      benchmark::Counter(static_cast<double>(kObjects),
                         benchmark::Counter::kIsIterationInvariantRate |
                             benchmark::Counter::kInvert);
}

// One labelled atomic alive for the whole process: the table is not empty.
Atomic<int>& Resident() {
  static Atomic<int>* const resident = new Atomic<int>(0, "bench.resident");
  return *resident;
}

void BM_StdAtomic(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(Churn<std::atomic<int>>(kObjects));
  Report(state);
}

// Runs before any labelled atomic exists (benchmarks run in order of
// registration, and Resident() is first used below).
void BM_Unlabelled_TableEmpty(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(Churn<Atomic<int>>(kObjects));
  Report(state);
}

void BM_Unlabelled_TableInUse(benchmark::State& state) {
  benchmark::DoNotOptimize(&Resident());
  for (auto _ : state) benchmark::DoNotOptimize(Churn<Atomic<int>>(kObjects));
  Report(state);
}

void BM_Labelled(benchmark::State& state) {
  benchmark::DoNotOptimize(&Resident());
  for (auto _ : state) benchmark::DoNotOptimize(ChurnLabelled(kObjects));
  Report(state);
}

BENCHMARK(BM_StdAtomic);
BENCHMARK(BM_Unlabelled_TableEmpty);
BENCHMARK(BM_Unlabelled_TableInUse);
BENCHMARK(BM_Labelled);
BENCHMARK(BM_StdAtomic)->Threads(2);
BENCHMARK(BM_Unlabelled_TableInUse)->Threads(2);
BENCHMARK(BM_Labelled)->Threads(2);

}  // namespace
}  // namespace bench
}  // namespace faultline
