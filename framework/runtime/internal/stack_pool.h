// -----------------------------------------------------------------------------
// File: internal/stack_pool.h
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
// PooledStack is a Boost.Context StackAllocator: pass it to the fiber
// constructor after std::allocator_arg.
//
// Thread-safety: the pool is per OS thread. A fiber is created, run and
// destroyed on one thread here, so a stack goes back to the pool it came
// from.

#ifndef FAULTLINE_FRAMEWORK_RUNTIME_INTERNAL_STACK_POOL_H_
#define FAULTLINE_FRAMEWORK_RUNTIME_INTERNAL_STACK_POOL_H_

#include <cstddef>

#include <boost/context/stack_context.hpp>

namespace faultline {
namespace internal {

class PooledStack {
 public:
  // At most this many stacks wait in a thread's pool; more are unmapped.
  static constexpr size_t kMaxPooled = 64;

  // `size` usable bytes, plus a guard page below them.
  explicit PooledStack(size_t size) : size_(size) {}

  boost::context::stack_context allocate();
  void deallocate(boost::context::stack_context& sctx) noexcept;

  // Stacks waiting in this thread's pool (for tests).
  static size_t PooledOnThisThread();
  // The stack most recently handed out on this thread: the fiber
  // constructor allocates through a copy of the allocator, so this is how
  // the creator learns where its new fiber's stack lies.
  static boost::context::stack_context LastAllocatedOnThisThread();

 private:
  boost::context::stack_context Take();

  size_t size_;
};

}  // namespace internal
}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RUNTIME_INTERNAL_STACK_POOL_H_
