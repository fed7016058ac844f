// -----------------------------------------------------------------------------
// File: atomic.h
// -----------------------------------------------------------------------------
//
// faultline::Atomic<T>: a drop-in std::atomic<T> for integers and pointers
// that production code can use as its atomic type. It has every member,
// operator and memory_order overload of std::atomic (load, store, exchange,
// compare_exchange_weak/strong, fetch_add/sub/and/or/xor, ++, --, +=, ...,
// conversion and assignment), plus kernel-style names (Read, Set, Inc, Dec,
// DecAndTest, IncNotZero, Cmpxchg) and Peek, an uninstrumented read for
// invariants and state probes. AtomicPtr<T> is Atomic<T*>.
//
// Built normally, every operation is instrumented: under the fiber backend
// it is a scheduling point (the strategy may switch tasks before it) and a
// trace event (object, value before and after; pointers as stable object
// ids); under the thread backend and outside any run it is the std::atomic
// operation with the memory order given. With no run on the thread the
// instrumentation is one thread-local load and an untaken branch.
//
// Built with `--define faultline=off` (FAULTLINE_DISABLED), Atomic<T> is a
// class derived from std::atomic<T> that adds only inline members: the same
// size, alignment and generated code as std::atomic<T>
// (tests/runtime/drop_in_off_test.cc, bench/drop_in_bench.cc).
//
// Labels: `Atomic<int> refs{1, "eb.refs"}` names the object in traces. The
// object does not store the label (label_table.h keeps it beside the
// object), so sizeof(Atomic<T>) == sizeof(std::atomic<T>) either way; with
// faultline off the label is dropped at compile time.
//
// Differences from std::atomic, all deliberate:
//  - default construction value-initializes (C++20's rule), in both builds;
//  - compare_exchange_weak never fails spuriously when instrumented (a
//    spurious failure would make a schedule not replayable);
//  - no volatile overloads, no C++20 wait/notify.
//
// Example:
//   faultline::Atomic<int> refs{1, "eb.refs"};
//   if (!refs.IncNotZero()) return nullptr;   // atomic_inc_not_zero
//   if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) release(eb);
//   faultline::Atomic<Page*> head{nullptr, "pool.head"};
//
// Thread-safety: all members are atomic.

#ifndef FAULTLINE_FRAMEWORK_RUNTIME_ATOMIC_H_
#define FAULTLINE_FRAMEWORK_RUNTIME_ATOMIC_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#if !defined(FAULTLINE_DISABLED)
#include "framework/runtime/label_table.h"
#include "framework/runtime/op.h"
#endif

namespace faultline {

#if defined(FAULTLINE_DISABLED)

// The compiled-out types live in their own inline namespace, so a file
// built with FAULTLINE_DISABLED and a library built without it never share
// a symbol (tests compile single files both ways).
inline namespace compiled_out {

class AtomicFlags;

template <typename T>
class Atomic : public std::atomic<T> {
  static_assert(std::is_integral<T>::value || std::is_pointer<T>::value,
                "faultline::Atomic<T> is for integers and pointers");
  using Base = std::atomic<T>;

 public:
  constexpr Atomic() noexcept : Base(T()) {}
  constexpr Atomic(T initial) noexcept : Base(initial) {}  // NOLINT: as std
  constexpr Atomic(T initial, const char* /*label*/) noexcept : Base(initial) {}
  Atomic(const Atomic&) = delete;
  Atomic& operator=(const Atomic&) = delete;
  using Base::operator=;

  T Read() const noexcept { return this->load(); }
  void Set(T v) noexcept { this->store(v); }
  void Inc() noexcept { this->fetch_add(1); }
  void Dec() noexcept { this->fetch_sub(1); }
  bool DecAndTest() noexcept { return this->fetch_sub(1) == 1; }
  bool IncNotZero() noexcept {
    T old = this->load();
    while (old != 0 && !this->compare_exchange_weak(old, old + 1)) {
    }
    return old != 0;
  }
  T Cmpxchg(T old, T desired) noexcept {
    this->compare_exchange_strong(old, desired);
    return old;
  }
  T Peek() const noexcept { return this->load(std::memory_order_acquire); }
  const char* label() const noexcept { return "atomic"; }

 private:
  friend class AtomicFlags;
  T LoadBit(int /*bit*/) const noexcept { return this->load(); }
  T FetchOrBit(T m, int /*bit*/) noexcept { return this->fetch_or(m); }
  T FetchAndBit(T m, int /*bit*/) noexcept { return this->fetch_and(m); }
};

#else  // !FAULTLINE_DISABLED

class AtomicFlags;

template <typename T>
class Atomic {
  static_assert(std::is_integral<T>::value || std::is_pointer<T>::value,
                "faultline::Atomic<T> is for integers and pointers");
  static constexpr bool kPointer = std::is_pointer<T>::value;
  // What fetch_add and friends take: T for integers, ptrdiff_t for pointers.
  using Diff = typename std::conditional<kPointer, std::ptrdiff_t, T>::type;
  using Kind = internal::OpKind;

 public:
  // Not noexcept, unlike std::atomic: under the fiber backend a task being
  // aborted unwinds by exception from its next operation.
  using value_type = T;
  static constexpr bool is_always_lock_free =
      std::atomic<T>::is_always_lock_free;

  // OnCreate: DPOR names an object by the task that created it (op.h).
  Atomic() noexcept : value_(T()) { internal::OnCreate(this); }
  Atomic(T initial) noexcept : value_(initial) {  // NOLINT: as std::atomic
    internal::OnCreate(this);
  }
  Atomic(T initial, const char* label) noexcept : value_(initial) {
    internal::SetLabel(this, label);
    internal::OnCreate(this);
  }
  ~Atomic() noexcept { internal::ForgetLabel(this); }
  Atomic(const Atomic&) = delete;
  Atomic& operator=(const Atomic&) = delete;

  bool is_lock_free() const noexcept { return value_.is_lock_free(); }

  T load(std::memory_order order = std::memory_order_seq_cst) const {
    Before(Kind::kLoad);
    T v = value_.load(order);
    After(v, v);
    return v;
  }
  // Traced as a store with the value it replaced, so it is an exchange on
  // the std::atomic only while instrumented; outside a run, a store.
  void store(T v, std::memory_order order = std::memory_order_seq_cst) {
    if (ABSL_PREDICT_TRUE(internal::CurrentScheduler() == nullptr)) {
      value_.store(v, order);
      return;
    }
    Before(Kind::kStore);
    T old = value_.exchange(v, order);
    After(old, v);
  }
  T exchange(T v, std::memory_order order = std::memory_order_seq_cst) {
    Before(Kind::kRmw);
    T old = value_.exchange(v, order);
    After(old, v);
    return old;
  }
  bool compare_exchange_strong(T& expected, T desired,
                               std::memory_order success,
                               std::memory_order failure) {
    Before(Kind::kRmw);
    const T seen = expected;
    const bool ok =
        value_.compare_exchange_strong(expected, desired, success, failure);
    After(ok ? seen : expected, ok ? desired : expected);
    return ok;
  }
  bool compare_exchange_strong(
      T& expected, T desired,
      std::memory_order order = std::memory_order_seq_cst) {
    return compare_exchange_strong(expected, desired, order,
                                   FailureOrder(order));
  }
  bool compare_exchange_weak(T& expected, T desired, std::memory_order success,
                             std::memory_order failure) {
    return compare_exchange_strong(expected, desired, success, failure);
  }
  bool compare_exchange_weak(
      T& expected, T desired,
      std::memory_order order = std::memory_order_seq_cst) {
    return compare_exchange_strong(expected, desired, order,
                                   FailureOrder(order));
  }

  T fetch_add(Diff d, std::memory_order order = std::memory_order_seq_cst) {
    Before(Kind::kRmw);
    T old = value_.fetch_add(d, order);
    After(old, static_cast<T>(old + d));
    return old;
  }
  T fetch_sub(Diff d, std::memory_order order = std::memory_order_seq_cst) {
    Before(Kind::kRmw);
    T old = value_.fetch_sub(d, order);
    After(old, static_cast<T>(old - d));
    return old;
  }
  // Integers only (as std::atomic<T*> has no bitwise members).
  template <typename U = T,
            typename = std::enable_if_t<!std::is_pointer<U>::value> >
  T fetch_and(T m, std::memory_order order = std::memory_order_seq_cst) {
    Before(Kind::kRmw);
    T old = value_.fetch_and(m, order);
    After(old, static_cast<T>(old & m));
    return old;
  }
  template <typename U = T,
            typename = std::enable_if_t<!std::is_pointer<U>::value> >
  T fetch_or(T m, std::memory_order order = std::memory_order_seq_cst) {
    Before(Kind::kRmw);
    T old = value_.fetch_or(m, order);
    After(old, static_cast<T>(old | m));
    return old;
  }
  template <typename U = T,
            typename = std::enable_if_t<!std::is_pointer<U>::value> >
  T fetch_xor(T m, std::memory_order order = std::memory_order_seq_cst) {
    Before(Kind::kRmw);
    T old = value_.fetch_xor(m, order);
    After(old, static_cast<T>(old ^ m));
    return old;
  }

  // Operators, with std::atomic's results: assignment returns the value
  // stored, prefix and compound ones the new value, postfix the old one.
  operator T() const { return load(); }  // NOLINT: as std::atomic
  T operator=(T v) {
    store(v);
    return v;
  }
  T operator++() { return static_cast<T>(fetch_add(1) + 1); }
  T operator--() { return static_cast<T>(fetch_sub(1) - 1); }
  T operator++(int) { return fetch_add(1); }
  T operator--(int) { return fetch_sub(1); }
  T operator+=(Diff d) { return static_cast<T>(fetch_add(d) + d); }
  T operator-=(Diff d) { return static_cast<T>(fetch_sub(d) - d); }
  template <typename U = T,
            typename = std::enable_if_t<!std::is_pointer<U>::value> >
  T operator&=(T m) {
    return static_cast<T>(fetch_and(m) & m);
  }
  template <typename U = T,
            typename = std::enable_if_t<!std::is_pointer<U>::value> >
  T operator|=(T m) {
    return static_cast<T>(fetch_or(m) | m);
  }
  template <typename U = T,
            typename = std::enable_if_t<!std::is_pointer<U>::value> >
  T operator^=(T m) {
    return static_cast<T>(fetch_xor(m) ^ m);
  }

  // Kernel names (atomic_read, atomic_set, ...).
  T Read() const { return load(); }
  void Set(T v) { store(v); }
  // The result is discarded: DPOR lets these commute (op.h BeforeAddOp).
  void Inc() { AddUnobserved(1); }
  void Dec() { AddUnobserved(static_cast<Diff>(-1)); }
  // atomic_dec_and_test: true if the new value is 0.
  bool DecAndTest() { return fetch_sub(1) == 1; }
  // atomic_inc_not_zero: increments unless 0; true if it incremented. One
  // traced operation (the kernel's is one atomic step too).
  bool IncNotZero() {
    Before(Kind::kRmw);
    T old = value_.load();
    while (old != 0 && !value_.compare_exchange_weak(old, old + 1)) {
    }
    After(old, old == 0 ? old : static_cast<T>(old + 1));
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
  T Peek() const noexcept { return value_.load(std::memory_order_acquire); }
  // The trace label (label_table.h).
  const char* label() const { return internal::LabelOf(this, DefaultLabel()); }

 private:
  static constexpr const char* DefaultLabel() {
    return kPointer ? internal::kPointerLabel : internal::kAtomicLabel;
  }
  // The failure order std::atomic derives from a single order.
  static constexpr std::memory_order FailureOrder(std::memory_order order) {
    return order == std::memory_order_acq_rel   ? std::memory_order_acquire
           : order == std::memory_order_release ? std::memory_order_relaxed
                                                : order;
  }
  void Before(Kind kind) const {
    internal::BeforeOp(kind, this, DefaultLabel());
  }
  void After(T before, T after) const {
    if constexpr (kPointer) {
      internal::AfterPointerOp(this, before, after);
    } else {
      internal::AfterOp(this, static_cast<int64_t>(before),
                        static_cast<int64_t>(after));
    }
  }

  void AddUnobserved(Diff d) {
    internal::BeforeAddOp(this, DefaultLabel());
    T old = value_.fetch_add(d);
    After(old, static_cast<T>(old + d));
  }

  // AtomicFlags's bit operations: each reads or writes only bit `bit` (the
  // footprint DPOR sees, op.h BeforeBitOp); AtomicFlags::kAllBits: all.
  friend class AtomicFlags;
  T LoadBit(int bit) const {
    internal::BeforeBitOp(Kind::kLoad, this, DefaultLabel(), bit);
    T v = value_.load();
    After(v, v);
    return v;
  }
  T FetchOrBit(T m, int bit) {
    BeforeBitRmw(bit, /*set=*/true);
    T old = value_.fetch_or(m);
    After(old, static_cast<T>(old | m));
    return old;
  }
  T FetchAndBit(T m, int bit) {
    BeforeBitRmw(bit, /*set=*/false);
    T old = value_.fetch_and(m);
    After(old, static_cast<T>(old & m));
    return old;
  }

  // Only AtomicFlags calls the bit operations, on Atomic<unsigned long>,
  // always with a bit number.
  void BeforeBitRmw(int bit, bool set) {
    static_assert(std::is_same<T, unsigned long>::value,
                  "bit operations are AtomicFlags's, on unsigned long");
    internal::BeforeBitRmw(this, DefaultLabel(), bit, &value_, set);
  }

  std::atomic<T> value_;
};

#endif  // FAULTLINE_DISABLED

// An atomic pointer (page->private, a radix tree slot). Traces show the
// pointee as a stable object id, never its address, so the trace hash is
// the same in every process.
template <typename T>
using AtomicPtr = Atomic<T*>;

// A flags word with the kernel's atomic bit operations (bit numbers, not
// masks), e.g. eb->bflags with EXTENT_BUFFER_TREE_REF.
class AtomicFlags {
 public:
  explicit AtomicFlags(unsigned long initial = 0, const char* label = "flags")
      : bits_(initial) {
#if !defined(FAULTLINE_DISABLED)
    // A flags word: rendered tables show its values as bits.
    internal::SetLabel(&bits_, label, /*flags=*/true);
#else
    static_cast<void>(label);
#endif
  }

  // Each bit operation reads or writes only its bit (the footprint DPOR
  // sees); load() reads them all.
  bool test_bit(int nr) const { return (bits_.LoadBit(nr) >> nr) & 1UL; }
  void set_bit(int nr) { bits_.FetchOrBit(1UL << nr, nr); }
  void clear_bit(int nr) { bits_.FetchAndBit(~(1UL << nr), nr); }
  // True if the bit was already set.
  bool test_and_set_bit(int nr) {
    return (bits_.FetchOrBit(1UL << nr, nr) >> nr) & 1UL;
  }
  // True if the bit was set (and is now clear).
  bool test_and_clear_bit(int nr) {
    return (bits_.FetchAndBit(~(1UL << nr), nr) >> nr) & 1UL;
  }
  unsigned long load() const { return bits_.LoadBit(kAllBits); }
  bool PeekBit(int nr) const { return (bits_.Peek() >> nr) & 1UL; }
  unsigned long Peek() const { return bits_.Peek(); }
  // The object its operations report to the scheduler (footprints,
  // World::AtEveryStepTouched).
  const void* object() const { return &bits_; }

 private:
  static constexpr int kAllBits = -1;
  Atomic<unsigned long> bits_;
};

#if defined(FAULTLINE_DISABLED)
}  // inline namespace compiled_out
#endif

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RUNTIME_ATOMIC_H_
