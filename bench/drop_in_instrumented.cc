// The drop-in loops on faultline::Atomic and faultline::Mutex
// instrumented, with no run on the thread (a normal build) (see
// drop_in_bench.h).
#include <atomic>
#include <mutex>

#include "bench/drop_in_bench.h"
#include "benchmark/benchmark.h"
#include "framework/runtime/atomic.h"
#include "framework/runtime/mutex.h"

namespace faultline {
namespace bench {

#define ATOMIC ::faultline::Atomic
#define MUTEX ::faultline::Mutex
#include "bench/drop_in_loops.inc"

DropInLoops InstrumentedLoops() {
  return {FetchAdd, Load, Store, CompareExchange, LockUnlock};
}

}  // namespace bench
}  // namespace faultline
