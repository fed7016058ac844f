// -----------------------------------------------------------------------------
// File: rng.h
// -----------------------------------------------------------------------------
//
// The counter-based random source behind every faultline decision.
//
// A decision never consumes state from a shared generator: its random bits are
// a pure function of a key, e.g. (run seed, fault point, task ordinal, hit
// index, stream). Two processes, two shard layouts, or two interleavings that
// reach the same (task, point, hit) therefore draw the same bits. The mixing
// function is SplitMix64's finalizer, applied over the key words; it is written
// here (not taken from <random>) so its output is the same with every standard
// library. tests/framework/rng_test.cc pins golden values.
//
// Example:
//   uint64_t bits = faultline::DrawBits({seed, point_hash, task, hit, 0});
//   bool fire = faultline::BitsToUnit(bits) < probability;
//   uint64_t delay = lo + faultline::BitsBelow(bits, hi - lo + 1);
//
// Thread-safety: every function is pure.

#ifndef FAULTLINE_FRAMEWORK_RNG_H_
#define FAULTLINE_FRAMEWORK_RNG_H_

#include <cmath>
#include <cstdint>
#include <initializer_list>

#include "absl/strings/string_view.h"

namespace faultline {

// SplitMix64's output function: a bijection on 64-bit words with full
// avalanche.
constexpr uint64_t Mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;  // kGolden
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// DrawBits is a left fold of DrawStep over the key words from kDrawStart, so
// a hot caller may keep the state after a constant prefix of its key (run
// seed, point, task) and fold in only the words that change per hit: the
// result is the same bits.
inline constexpr uint64_t kDrawStart = 0x6a09e667f3bcc909ULL;  // sqrt(2)
constexpr uint64_t DrawStep(uint64_t state, uint64_t word) {
  return Mix64(state ^ Mix64(word));
}

// The index-th output of SplitMix64 seeded with `key`: SplitMix64's state
// after index+1 steps is key + (index+1) * golden ratio, and Mix64 adds the
// last golden ratio itself. For a hot caller that draws once per counter
// value (a task's hits at a point) from a key it computed once with DrawBits:
// one multiply-add and one Mix64 instead of a fold over every key word.
// SplitMix64's stream passes BigCrush, so draws at successive indices are
// as good as independent.
inline constexpr uint64_t kGolden = 0x9e3779b97f4a7c15ULL;
constexpr uint64_t KeyedBits(uint64_t key, uint64_t index) {
  return Mix64(key + index * kGolden);
}

// Random bits for a key made of several words. Order matters: {a, b} and
// {b, a} give unrelated results.
inline uint64_t DrawBits(std::initializer_list<uint64_t> key) {
  uint64_t h = kDrawStart;
  for (uint64_t word : key) h = DrawStep(h, word);
  return h;
}

// A double in [0, 1) from the top 53 bits.
constexpr double BitsToUnit(uint64_t bits) {
  return static_cast<double>(bits >> 11) * (1.0 / 9007199254740992.0);
}

// The integer form of `BitsToUnit(bits) < p` for a hot caller that compares
// many draws with one p: the two agree for every bits and every p in [0, 1]
// (m * 2^-53 < p exactly when m < ceil(p * 2^53), all exact in a double).
inline uint64_t UnitBound(double p) {
  return static_cast<uint64_t>(std::ceil(p * 9007199254740992.0));
}
constexpr bool BitsBelowUnit(uint64_t bits, uint64_t unit_bound) {
  return (bits >> 11) < unit_bound;
}

// A value in [0, bound) by multiply-shift (Lemire). Bias is below 2^-64 *
// bound, far under anything a plan could observe. REQUIRES: bound > 0.
inline uint64_t BitsBelow(uint64_t bits, uint64_t bound) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(bits) * bound) >>
                               64);
}

// A stable 64-bit hash of a name (FNV-1a), used to key decisions by point
// name rather than by an index that depends on what a binary links in.
// Eight bytes a round: the same byte-by-byte fold with an eighth of the
// loop's compares and branches (trace notes hash their text and state
// columns at every note).
constexpr uint64_t NameHash(absl::string_view name) {
  constexpr uint64_t kPrime = 0x100000001b3ULL;
  uint64_t h = 0xcbf29ce484222325ULL;
  const char* p = name.data();
  size_t n = name.size();
  for (; n >= 8; p += 8, n -= 8) {
    h = (h ^ static_cast<unsigned char>(p[0])) * kPrime;
    h = (h ^ static_cast<unsigned char>(p[1])) * kPrime;
    h = (h ^ static_cast<unsigned char>(p[2])) * kPrime;
    h = (h ^ static_cast<unsigned char>(p[3])) * kPrime;
    h = (h ^ static_cast<unsigned char>(p[4])) * kPrime;
    h = (h ^ static_cast<unsigned char>(p[5])) * kPrime;
    h = (h ^ static_cast<unsigned char>(p[6])) * kPrime;
    h = (h ^ static_cast<unsigned char>(p[7])) * kPrime;
  }
  for (; n > 0; ++p, --n) h = (h ^ static_cast<unsigned char>(*p)) * kPrime;
  return h;
}

// A small sequential generator for places that need a stream of draws from
// one key (strategies). Its i-th output is DrawBits({key, i}).
class CounterRng {
 public:
  explicit CounterRng(uint64_t key) : key_(key) {}

  uint64_t Next() { return DrawBits({key_, counter_++}); }
  uint64_t Below(uint64_t bound) { return BitsBelow(Next(), bound); }
  double Unit() { return BitsToUnit(Next()); }
  uint64_t draws() const { return counter_; }

 private:
  uint64_t key_;
  uint64_t counter_ = 0;
};

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RNG_H_
