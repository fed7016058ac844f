// -----------------------------------------------------------------------------
// File: atomic.h
// -----------------------------------------------------------------------------
//
// Instrumented atomics for kernel-style code. Under the fiber backend every
// operation is a scheduling point (the strategy may switch tasks before it)
// and a trace event (object, value before and after); under the thread
// backend and outside any run they are plain sequentially consistent
// std::atomic operations. The same code runs under both without recompiling.
//
// Atomic<T> keeps std::atomic's member names, so a subsystem can switch with
// an alias; the kernel-style members (Read, Set, Inc, Dec, DecAndTest,
// IncNotZero, Cmpxchg) read like the code being modelled. AtomicFlags is an
// `unsigned long` bit set with the kernel's bitops.
//
// A `label` (a string literal such as "eb.refs") names the object in traces.
//
// Example:
//   faultline::Atomic<int> refs{1, "eb.refs"};
//   if (!refs.IncNotZero()) return nullptr;   // atomic_inc_not_zero
//   if (refs.DecAndTest()) release(eb);       // atomic_dec_and_test
//
// Thread-safety: all members are atomic.

#ifndef FAULTLINE_FRAMEWORK_RUNTIME_ATOMIC_H_
#define FAULTLINE_FRAMEWORK_RUNTIME_ATOMIC_H_

#include <atomic>
#include <cstdint>
#include <type_traits>

#include "framework/runtime/op.h"

namespace faultline {

template <typename T>
class Atomic {
  static_assert(std::is_integral<T>::value, "Atomic<T> is for integers");

 public:
  constexpr explicit Atomic(T initial = T{}, const char* label = "atomic")
      : value_(initial), label_(label) {}
  Atomic(const Atomic&) = delete;
  Atomic& operator=(const Atomic&) = delete;

  // std::atomic names.
  T load() const {
    internal::BeforeOp(internal::OpKind::kLoad, this, label_);
    T v = value_.load();
    internal::AfterOp(this, v, v);
    return v;
  }
  void store(T v) {
    internal::BeforeOp(internal::OpKind::kStore, this, label_);
    T old = value_.exchange(v);
    internal::AfterOp(this, old, v);
  }
  T exchange(T v) {
    internal::BeforeOp(internal::OpKind::kRmw, this, label_);
    T old = value_.exchange(v);
    internal::AfterOp(this, old, v);
    return old;
  }
  T fetch_add(T d) {
    internal::BeforeOp(internal::OpKind::kRmw, this, label_);
    T old = value_.fetch_add(d);
    internal::AfterOp(this, old, static_cast<T>(old + d));
    return old;
  }
  T fetch_sub(T d) {
    internal::BeforeOp(internal::OpKind::kRmw, this, label_);
    T old = value_.fetch_sub(d);
    internal::AfterOp(this, old, static_cast<T>(old - d));
    return old;
  }
  bool compare_exchange_strong(T& expected, T desired) {
    internal::BeforeOp(internal::OpKind::kRmw, this, label_);
    T seen = expected;
    bool ok = value_.compare_exchange_strong(expected, desired);
    internal::AfterOp(this, ok ? seen : expected, ok ? desired : expected);
    return ok;
  }

  // Kernel names (atomic_read, atomic_set, ...).
  T Read() const { return load(); }
  void Set(T v) { store(v); }
  void Inc() { fetch_add(1); }
  void Dec() { fetch_sub(1); }
  // atomic_dec_and_test: true if the new value is 0.
  bool DecAndTest() { return fetch_sub(1) == 1; }
  // atomic_inc_not_zero: increments unless 0; true if it incremented.
  bool IncNotZero() {
    internal::BeforeOp(internal::OpKind::kRmw, this, label_);
    T old = value_.load();
    while (old != 0 && !value_.compare_exchange_weak(old, old + 1)) {
    }
    internal::AfterOp(this, old, old == 0 ? old : static_cast<T>(old + 1));
    return old != 0;
  }
  // atomic_cmpxchg: returns the value seen; swapped if it equals `old`.
  T Cmpxchg(T old, T desired) {
    compare_exchange_strong(old, desired);
    return old;
  }

  // Uninstrumented read for invariant checks and state probes (no
  // scheduling point, no trace event). Acquire, like every Peek: a probe on
  // another thread may follow what it reads (a published pointer, a flag
  // saying an object is built), and must see the writes before it.
  T Peek() const { return value_.load(std::memory_order_acquire); }
  const char* label() const { return label_; }

 private:
  std::atomic<T> value_;
  const char* label_;
};

// An instrumented pointer (page->private, a radix tree slot). Traces show
// the pointee as a stable object id, never its address, so the trace hash
// is the same in every process.
template <typename T>
class AtomicPtr {
 public:
  constexpr explicit AtomicPtr(T* initial = nullptr,
                               const char* label = "pointer")
      : value_(initial), label_(label) {}
  AtomicPtr(const AtomicPtr&) = delete;
  AtomicPtr& operator=(const AtomicPtr&) = delete;

  T* load() const {
    internal::BeforeOp(internal::OpKind::kLoad, this, label_);
    T* v = value_.load();
    internal::AfterPointerOp(this, v, v);
    return v;
  }
  void store(T* v) {
    internal::BeforeOp(internal::OpKind::kStore, this, label_);
    T* old = value_.exchange(v);
    internal::AfterPointerOp(this, old, v);
  }
  T* exchange(T* v) {
    internal::BeforeOp(internal::OpKind::kRmw, this, label_);
    T* old = value_.exchange(v);
    internal::AfterPointerOp(this, old, v);
    return old;
  }
  bool compare_exchange_strong(T*& expected, T* desired) {
    internal::BeforeOp(internal::OpKind::kRmw, this, label_);
    T* seen = expected;
    bool ok = value_.compare_exchange_strong(expected, desired);
    internal::AfterPointerOp(this, ok ? seen : expected,
                             ok ? desired : expected);
    return ok;
  }
  T* Read() const { return load(); }
  void Set(T* v) { store(v); }
  // Uninstrumented, for invariants and state probes; acquire, so the
  // pointee's construction is visible to the thread that peeks.
  T* Peek() const { return value_.load(std::memory_order_acquire); }
  const char* label() const { return label_; }

 private:
  std::atomic<T*> value_;
  const char* label_;
};

// A flags word with the kernel's atomic bit operations (bit numbers, not
// masks), e.g. eb->bflags with EXTENT_BUFFER_TREE_REF.
class AtomicFlags {
 public:
  constexpr explicit AtomicFlags(unsigned long initial = 0,
                                 const char* label = "flags")
      : bits_(initial, label) {}

  bool test_bit(int nr) const { return (bits_.load() >> nr) & 1UL; }
  void set_bit(int nr) { bits_.fetch_or(1UL << nr); }
  void clear_bit(int nr) { bits_.fetch_and(~(1UL << nr)); }
  // True if the bit was already set.
  bool test_and_set_bit(int nr) {
    return (bits_.fetch_or(1UL << nr) >> nr) & 1UL;
  }
  // True if the bit was set (and is now clear).
  bool test_and_clear_bit(int nr) {
    return (bits_.fetch_and(~(1UL << nr)) >> nr) & 1UL;
  }
  unsigned long load() const { return bits_.load(); }
  bool PeekBit(int nr) const { return (bits_.Peek() >> nr) & 1UL; }
  unsigned long Peek() const { return bits_.Peek(); }
  // The object its operations report to the scheduler (footprints,
  // World::AtEveryStepTouched).
  const void* object() const { return &bits_; }

 private:
  class Word {
   public:
    constexpr Word(unsigned long v, const char* label)
        : value_(v), label_(label) {}
    unsigned long load() const {
      internal::BeforeOp(internal::OpKind::kLoad, this, label_);
      unsigned long v = value_.load();
      internal::AfterOp(this, v, v);
      return v;
    }
    unsigned long fetch_or(unsigned long m) {
      internal::BeforeOp(internal::OpKind::kRmw, this, label_);
      unsigned long old = value_.fetch_or(m);
      internal::AfterOp(this, old, old | m);
      return old;
    }
    unsigned long fetch_and(unsigned long m) {
      internal::BeforeOp(internal::OpKind::kRmw, this, label_);
      unsigned long old = value_.fetch_and(m);
      internal::AfterOp(this, old, old & m);
      return old;
    }
    unsigned long Peek() const {
      return value_.load(std::memory_order_acquire);
    }

   private:
    std::atomic<unsigned long> value_;
    const char* label_;
  };
  Word bits_;
};

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RUNTIME_ATOMIC_H_
