// The drop-in loops on faultline::Atomic and faultline::Mutex as
// --define faultline=off builds them (BUILD: local_defines) (see
// drop_in_bench.h).
#include <atomic>
#include <mutex>

#include "bench/drop_in_bench.h"
#include "benchmark/benchmark.h"
#include "framework/runtime/atomic.h"
#include "framework/runtime/mutex.h"

#ifndef FAULTLINE_DISABLED
#error "built with FAULTLINE_DISABLED only"
#endif

namespace faultline {
namespace bench {

#define ATOMIC ::faultline::Atomic
#define MUTEX ::faultline::Mutex
#include "bench/drop_in_loops.inc"

DropInLoops CompiledOutLoops() {
  return {FetchAdd, Load, Store, CompareExchange, LockUnlock};
}

}  // namespace bench
}  // namespace faultline
