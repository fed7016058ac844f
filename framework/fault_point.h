// -----------------------------------------------------------------------------
// File: fault_point.h
// -----------------------------------------------------------------------------
//
// Named fault points: the places in ordinary code where a plan may inject a
// failure, an error value, a delay, a yield, a hook call or an ordering edge.
//
// Each use of a macro below creates one static `SiteDescriptor` (name, file,
// line, kind) and records its address in the `faultline_sites` ELF section,
// so `SiteRegistry` can list every site compiled into a binary without
// running the code that contains it.
//
// Cost: with no run active anywhere in the process, a hit is one relaxed
// atomic load and a branch that is never taken. With a run active, the hit
// goes to the run installed on the calling thread (see run_context.h); a
// thread with no run installed sees no faults.
//
// Compile-out: building with FAULTLINE_DISABLED defined (bazel
// `--define faultline=off`) turns every site into a constant (no fault, no
// descriptor) that still type-checks its arguments.
//
// Kinds:
//   FL_FAULT_POINT(name[, key])  statement; may delay, yield, trigger, wait.
//   FL_FAULT_FAIL(name[, key])   bool expression; true = act as if it failed.
//   FL_FAULT_ERROR(name[, key])  int64_t expression; 0 = no error, else the
//                                errno-style value the plan asked for.
// Every kind also accepts the delay/yield/trigger/wait_for actions. `key` is
// a 64-bit value the site passes (a block number, an index) that rules can
// filter on.
//
// Example:
//   bool trylock_page(Page* page) {
//     if (FL_FAULT_FAIL("mm.trylock_page", page->index)) return false;
//     return page->TryLockBit();
//   }
//
// Names are stable dotted strings `area.function.step`, lowercase snake.

#ifndef FAULTLINE_FRAMEWORK_FAULT_POINT_H_
#define FAULTLINE_FRAMEWORK_FAULT_POINT_H_

#include <atomic>
#include <cstdint>

#include "absl/base/optimization.h"

namespace faultline {

enum class SiteKind : uint8_t {
  kPoint = 0,  // FL_FAULT_POINT
  kFail = 1,   // FL_FAULT_FAIL
  kError = 2,  // FL_FAULT_ERROR
};

const char* SiteKindName(SiteKind kind);

// One static descriptor per macro use. Constant-initialized, so it exists
// before any constructor runs.
struct SiteDescriptor {
  const char* name;
  const char* file;
  int line;
  SiteKind kind;
  // Dense index of `name` in the SiteRegistry (sites sharing a name share
  // the index); -1 until the registry is built.
  mutable std::atomic<int32_t> index{-1};
};

namespace internal {

// Number of RunContexts alive in the process. The only state a hit reads
// when nothing is armed.
inline std::atomic<int> g_active_runs{0};

inline bool AnyRunActive() {
  return g_active_runs.load(std::memory_order_relaxed) != 0;
}

inline uint64_t SiteKey() { return 0; }
inline uint64_t SiteKey(uint64_t key) { return key; }

// Slow paths, taken only while some run is active.
void HitPoint(const SiteDescriptor* site, uint64_t key);
bool HitFail(const SiteDescriptor* site, uint64_t key);
int64_t HitError(const SiteDescriptor* site, uint64_t key);

}  // namespace internal
}  // namespace faultline

#if defined(FAULTLINE_DISABLED)

#define FL_FAULT_POINT(name, ...)                        \
  do {                                                   \
    if (false) {                                         \
      (void)(name);                                      \
      (void)::faultline::internal::SiteKey(__VA_ARGS__); \
    }                                                    \
  } while (0)
#define FL_FAULT_FAIL(name, ...) \
  (false && ((void)(name), ::faultline::internal::SiteKey(__VA_ARGS__), false))
#define FL_FAULT_ERROR(name, ...)                                      \
  (false ? ((void)(name), ::faultline::internal::SiteKey(__VA_ARGS__), \
            int64_t{0})                                                \
         : int64_t{0})

#else  // !FAULTLINE_DISABLED

// A pointer to the site's static descriptor, registered in the
// `faultline_sites` section at link time.
#define FL_INTERNAL_SITE(name, kind)                                           \
  ([]() -> const ::faultline::SiteDescriptor* {                                \
    static ::faultline::SiteDescriptor fl_site{name, __FILE__, __LINE__,       \
                                               kind};                          \
    __attribute__((                                                            \
        section("faultline_sites"),                                            \
        used)) static const ::faultline::SiteDescriptor* const fl_site_entry = \
        &fl_site;                                                              \
    return fl_site_entry;                                                      \
  }())

#define FL_FAULT_POINT(name, ...)                                    \
  do {                                                               \
    if (ABSL_PREDICT_FALSE(::faultline::internal::AnyRunActive())) { \
      ::faultline::internal::HitPoint(                               \
          FL_INTERNAL_SITE(name, ::faultline::SiteKind::kPoint),     \
          ::faultline::internal::SiteKey(__VA_ARGS__));              \
    }                                                                \
  } while (0)

#define FL_FAULT_FAIL(name, ...)                                \
  (ABSL_PREDICT_FALSE(::faultline::internal::AnyRunActive()) && \
   ::faultline::internal::HitFail(                              \
       FL_INTERNAL_SITE(name, ::faultline::SiteKind::kFail),    \
       ::faultline::internal::SiteKey(__VA_ARGS__)))

#define FL_FAULT_ERROR(name, ...)                                   \
  (ABSL_PREDICT_FALSE(::faultline::internal::AnyRunActive())        \
       ? ::faultline::internal::HitError(                           \
             FL_INTERNAL_SITE(name, ::faultline::SiteKind::kError), \
             ::faultline::internal::SiteKey(__VA_ARGS__))           \
       : int64_t{0})

#endif  // FAULTLINE_DISABLED

#endif  // FAULTLINE_FRAMEWORK_FAULT_POINT_H_
