// -----------------------------------------------------------------------------
// File: atomic_array.h
// -----------------------------------------------------------------------------
//
// A fixed-size array of instrumented integers, for the SCTBench ports whose
// originals keep shared C arrays (a queue's elements, a stack, a log
// buffer): every element access is a scheduling point, like any other shared
// access. An index outside the array is a model bug reported as
// "sctbench.index_out_of_range" (the C originals would silently corrupt
// memory), never undefined behaviour in the port.
//
// Example:
//   sctbench::AtomicArray<int, 20> element{"queue.element"};
//   element[tail].store(x);
//
// Thread-safety: as faultline::Atomic, per element.

#ifndef FAULTLINE_BENCH_SCTBENCH_ATOMIC_ARRAY_H_
#define FAULTLINE_BENCH_SCTBENCH_ATOMIC_ARRAY_H_

#include <array>
#include <cstddef>
#include <utility>

#include "framework/check.h"
#include "framework/runtime/atomic.h"

namespace sctbench {

template <typename T, std::size_t N>
class AtomicArray {
 public:
  explicit AtomicArray(const char* label)
      : cells_(Make(label, std::make_index_sequence<N>())) {}

  faultline::Atomic<T>& operator[](long i) {
    FL_BUG_ON(i < 0 || static_cast<std::size_t>(i) >= N,
              "sctbench.index_out_of_range");
    return cells_[static_cast<std::size_t>(i)];
  }
  static constexpr std::size_t size() { return N; }

 private:
  using Cells = std::array<faultline::Atomic<T>, N>;
  template <std::size_t... I>
  static Cells Make(const char* label, std::index_sequence<I...>) {
    return Cells{{faultline::Atomic<T>((static_cast<void>(I), T{}), label)...}};
  }

  Cells cells_;
};

}  // namespace sctbench

#endif  // FAULTLINE_BENCH_SCTBENCH_ATOMIC_ARRAY_H_
