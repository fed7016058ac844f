// The loops bench/drop_in_bench.cc times, declared once and defined twice:
// drop_in_instrumented.cc (a normal build) and drop_in_compiled_out.cc
// (built with FAULTLINE_DISABLED, as --define faultline=off builds it), so
// one process times std::atomic / std::mutex, faultline's types compiled
// out and faultline's types instrumented side by side.
#ifndef FAULTLINE_BENCH_DROP_IN_BENCH_H_
#define FAULTLINE_BENCH_DROP_IN_BENCH_H_

#include <cstdint>

namespace faultline {
namespace bench {

// Each runs `n` rounds of one operation on a fresh object and returns a
// value that depends on all of them (so nothing is optimized away).
struct DropInLoops {
  uint64_t (*fetch_add)(int64_t n);
  uint64_t (*load)(int64_t n);
  uint64_t (*store)(int64_t n);
  uint64_t (*compare_exchange)(int64_t n);
  uint64_t (*lock_unlock)(int64_t n);
};

DropInLoops StdLoops();
DropInLoops CompiledOutLoops();
DropInLoops InstrumentedLoops();

}  // namespace bench
}  // namespace faultline

#endif  // FAULTLINE_BENCH_DROP_IN_BENCH_H_
