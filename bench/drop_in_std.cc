// The drop-in loops on std::atomic and std::mutex (see drop_in_bench.h).
#include <atomic>
#include <mutex>

#include "bench/drop_in_bench.h"
#include "benchmark/benchmark.h"

namespace faultline {
namespace bench {

#define ATOMIC std::atomic
#define MUTEX std::mutex
#include "bench/drop_in_loops.inc"

DropInLoops StdLoops() {
  return {FetchAdd, Load, Store, CompareExchange, LockUnlock};
}

}  // namespace bench
}  // namespace faultline
