// The drop-in primitives against the std types they replace, in one run:
// every loop (fetch_add, load, store, compare_exchange_strong, lock+unlock)
// is timed on std::atomic / std::mutex, on faultline::Atomic /
// faultline::Mutex compiled out (FAULTLINE_DISABLED, what
// --define faultline=off builds), and on them instrumented with no run on
// the thread (a normal build: the cost production code pays when it is
// built with faultline in but is not being explored).
//
//   bazel run -c opt //bench:drop_in_bench
//
// Each benchmark iteration runs 1000 operations through a noinline loop
// (the same source text for all three, bench/drop_in_loops.inc); `per_op`
// is wall time per operation.
#include "bench/drop_in_bench.h"

#include <cstdint>

#include "benchmark/benchmark.h"

namespace faultline {
namespace bench {
namespace {

constexpr int64_t kOps = 1000;

using Loop = uint64_t (*)(int64_t);

void Run(benchmark::State& state, Loop loop) {
  for (auto _ : state) benchmark::DoNotOptimize(loop(kOps));
  state.counters["per_op"] = benchmark::Counter(
      static_cast<double>(kOps), benchmark::Counter::kIsIterationInvariantRate |
                                     benchmark::Counter::kInvert);
}

#define FL_DROP_IN_ROWS(op)                                        \
  void BM_Std_##op(benchmark::State& s) { Run(s, StdLoops().op); } \
  void BM_CompiledOut_##op(benchmark::State& s) {                  \
    Run(s, CompiledOutLoops().op);                                 \
  }                                                                \
  void BM_Instrumented_##op(benchmark::State& s) {                 \
    Run(s, InstrumentedLoops().op);                                \
  }                                                                \
  BENCHMARK(BM_Std_##op);                                          \
  BENCHMARK(BM_CompiledOut_##op);                                  \
  BENCHMARK(BM_Instrumented_##op)

FL_DROP_IN_ROWS(fetch_add);
FL_DROP_IN_ROWS(load);
FL_DROP_IN_ROWS(store);
FL_DROP_IN_ROWS(compare_exchange);
FL_DROP_IN_ROWS(lock_unlock);

}  // namespace
}  // namespace bench
}  // namespace faultline
