// -----------------------------------------------------------------------------
// File: fiber/stack_pool.h
// -----------------------------------------------------------------------------
//
// Fiber stacks reused across iterations. Every iteration runs its tasks on
// new Boost.Fiber fibers. Mapping a guarded stack for each one (mmap and
// mprotect) and unmapping it afterwards costs system calls plus a page fault
// for every stack page the task touches again; for an iteration of a few
// hundred steps that was most of its time (BENCHMARKS.md, "Scheduling step
// cost"). PooledStack keeps returned stacks, guard page and touched pages
// intact, and hands them out again.
//
// The allocator itself, PooledStack, is a Boost.Context StackAllocator and is
// declared with the other Boost types in fiber_scheduler.h (the one header
// that includes Boost); this header is what the rest may know of the pool.
//
// Thread-safety: the pool is per OS thread. A fiber is created, run and
// destroyed on one thread here, so a stack goes back to the pool it came
// from.

#ifndef FAULTLINE_FRAMEWORK_RUNTIME_FIBER_STACK_POOL_H_
#define FAULTLINE_FRAMEWORK_RUNTIME_FIBER_STACK_POOL_H_

#include <cstddef>

namespace faultline {
namespace internal {

// At most this many stacks wait in a thread's pool; more are unmapped.
inline constexpr size_t kMaxPooledStacks = 64;

// Stacks waiting in this thread's pool (for tests).
size_t PooledStacksOnThisThread();

}  // namespace internal
}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RUNTIME_FIBER_STACK_POOL_H_
