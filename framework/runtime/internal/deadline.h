// -----------------------------------------------------------------------------
// File: internal/deadline.h
// -----------------------------------------------------------------------------
//
// Deadlines that saturate: "now + delay" for a sleep, a delay rule or a wait
// timeout, clamped to the end of time instead of overflowing. A delay of
// INT64_MAX ns means "never within this run", not a negative deadline (which
// the fiber backend took for "no timeout" and the thread backend for "already
// past").
//
// Virtual time ends at kEndOfVirtualTimeNs, one below INT64_MAX, which the
// fiber backend keeps for "no deadline at all"; a task sleeping until the end
// of time still wakes when nothing else can run.
//
// Thread-safety: pure functions.

#ifndef FAULTLINE_FRAMEWORK_RUNTIME_INTERNAL_DEADLINE_H_
#define FAULTLINE_FRAMEWORK_RUNTIME_INTERNAL_DEADLINE_H_

#include <chrono>
#include <cstdint>

namespace faultline {
namespace internal {

inline constexpr int64_t kEndOfVirtualTimeNs = INT64_MAX - 1;

// now_ns + delay_ns, at most kEndOfVirtualTimeNs. Requires now_ns in
// [0, kEndOfVirtualTimeNs] and delay_ns >= 0.
inline constexpr int64_t VirtualDeadline(int64_t now_ns, int64_t delay_ns) {
  return delay_ns >= kEndOfVirtualTimeNs - now_ns ? kEndOfVirtualTimeNs
                                                  : now_ns + delay_ns;
}

// now + delay_ns on a real clock, at most the clock's last time point.
// delay_ns < 0 counts as 0.
inline std::chrono::steady_clock::time_point RealDeadline(
    std::chrono::steady_clock::time_point now, int64_t delay_ns) {
  using Clock = std::chrono::steady_clock;
  if (delay_ns <= 0) return now;
  const auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(
      Clock::time_point::max() - now);
  if (std::chrono::nanoseconds(delay_ns) >= left) {
    return Clock::time_point::max();
  }
  return now + std::chrono::nanoseconds(delay_ns);
}

}  // namespace internal
}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RUNTIME_INTERNAL_DEADLINE_H_
