// -----------------------------------------------------------------------------
// File: fiber/fiber_sanitizer.h
// -----------------------------------------------------------------------------
//
// Tells AddressSanitizer about the fiber backend's stack switches. ASan
// assumes a thread runs on one stack; when an exception unwinds on a fiber's
// stack it otherwise sees a stack pointer outside that range, refuses to
// clean up the unwound frames, and then reports false stack-buffer errors.
// Every switch the backend makes is bracketed by StartStackSwitch (in the
// context being left) and FinishStackSwitch (in the context being entered),
// as <sanitizer/common_interface_defs.h> asks. Without ASan every function
// here compiles to nothing.
//
// Thread-safety: per OS thread, like the switches themselves.

#ifndef FAULTLINE_FRAMEWORK_RUNTIME_FIBER_FIBER_SANITIZER_H_
#define FAULTLINE_FRAMEWORK_RUNTIME_FIBER_FIBER_SANITIZER_H_

#include <cstddef>

#if defined(__SANITIZE_ADDRESS__)
#define FAULTLINE_FIBER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FAULTLINE_FIBER_ASAN 1
#endif
#endif

#ifdef FAULTLINE_FIBER_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

namespace faultline {
namespace internal {

// The memory range of a stack: [bottom, bottom + size).
struct StackBounds {
  const void* bottom = nullptr;
  size_t size = 0;
};

// Call in the context being left, right before switching to a context that
// runs on `to`. `fake_stack_save` receives the state FinishStackSwitch needs
// when this context is resumed; nullptr means this context never resumes (a
// finishing fiber).
inline void StartStackSwitch(void** fake_stack_save, const StackBounds& to) {
#ifdef FAULTLINE_FIBER_ASAN
  __sanitizer_start_switch_fiber(fake_stack_save, to.bottom, to.size);
#else
  (void)fake_stack_save;
  (void)to;
#endif
}

// Call first thing in the context just entered, with what its own
// StartStackSwitch saved (nullptr for a fiber's first entry). `from`, if not
// null, receives the bounds of the stack that was left.
inline void FinishStackSwitch(void* fake_stack, StackBounds* from) {
#ifdef FAULTLINE_FIBER_ASAN
  const void* bottom = nullptr;
  size_t size = 0;
  __sanitizer_finish_switch_fiber(fake_stack, &bottom, &size);
  if (from != nullptr) *from = {bottom, size};
#else
  (void)fake_stack;
  (void)from;
#endif
}

// A reused stack may carry poisoned redzones of frames that were live when
// its last fiber ended; clear them before a new fiber runs there.
inline void UnpoisonStack(const StackBounds& stack) {
#ifdef FAULTLINE_FIBER_ASAN
  ASAN_UNPOISON_MEMORY_REGION(stack.bottom, stack.size);
#else
  (void)stack;
#endif
}

}  // namespace internal
}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RUNTIME_FIBER_FIBER_SANITIZER_H_
