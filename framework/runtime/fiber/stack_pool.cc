// Per-thread pool of guarded fiber stacks (see stack_pool.h).
#include "framework/runtime/fiber/stack_pool.h"

#include <vector>

#include "framework/runtime/fiber/fiber_sanitizer.h"
#include "framework/runtime/fiber/fiber_scheduler.h"

namespace faultline {
namespace internal {
namespace {

struct PooledEntry {
  size_t requested;  // the size PooledStack was asked for
  boost::context::stack_context stack;
};

// Set once this thread's pool is destroyed. Trivially destructible, so it
// stays readable while later thread-exit destructors (Boost's scheduler,
// which may still free a fiber) run.
thread_local bool tls_pool_gone = false;
thread_local boost::context::stack_context tls_last_allocated;

// Unmaps what is left when the thread exits.
struct ThreadPool {
  std::vector<PooledEntry> free;
  ~ThreadPool() {
    tls_pool_gone = true;
    for (PooledEntry& entry : free) {
      boost::context::protected_fixedsize_stack(entry.requested)
          .deallocate(entry.stack);
    }
  }
};

ThreadPool& Pool() {
  thread_local ThreadPool pool;
  return pool;
}

}  // namespace

boost::context::stack_context PooledStack::allocate() {
  tls_last_allocated = Take();
  return tls_last_allocated;
}

boost::context::stack_context PooledStack::Take() {
  if (tls_pool_gone) {
    return boost::context::protected_fixedsize_stack(size_).allocate();
  }
  std::vector<PooledEntry>& free = Pool().free;
  // Room for every stack deallocate() may keep, so that it never allocates.
  if (free.capacity() < kMaxPooledStacks) free.reserve(kMaxPooledStacks);
  for (size_t i = free.size(); i-- > 0;) {
    if (free[i].requested != size_) continue;
    boost::context::stack_context stack = free[i].stack;
    free[i] = free.back();
    free.pop_back();
    UnpoisonStack(
        {static_cast<const char*>(stack.sp) - stack.size, stack.size});
    return stack;
  }
  return boost::context::protected_fixedsize_stack(size_).allocate();
}

void PooledStack::deallocate(boost::context::stack_context& sctx) noexcept {
  std::vector<PooledEntry>* free = tls_pool_gone ? nullptr : &Pool().free;
  // allocate() reserved the room, so push_back neither allocates nor throws.
  if (free != nullptr && free->size() < free->capacity() &&
      free->size() < kMaxPooledStacks) {
    free->push_back({size_, sctx});
    return;
  }
  boost::context::protected_fixedsize_stack(size_).deallocate(sctx);
}

boost::context::stack_context PooledStack::LastAllocatedOnThisThread() {
  return tls_last_allocated;
}

size_t PooledStacksOnThisThread() {
  return tls_pool_gone ? 0 : Pool().free.size();
}

}  // namespace internal
}  // namespace faultline
