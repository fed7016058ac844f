// -----------------------------------------------------------------------------
// File: trace/trace_recorder.h
// -----------------------------------------------------------------------------
//
// Builds a Trace while an iteration runs: assigns object ids in order of
// first appearance, appends decisions and events, and folds both into the
// stable hash as they happen (so the hash does not depend on whether events
// are kept). Capacity is reserved up front so that recording a step does not
// allocate in the steady state. Object ids are looked up at every operation:
// a small direct-mapped cache in front of the id map answers most of them
// (it only ever holds pairs the map holds, so ids are the same).
//
// Thread-safety: none; the thread backend serializes calls.

#ifndef FAULTLINE_FRAMEWORK_RUNTIME_TRACE_TRACE_RECORDER_H_
#define FAULTLINE_FRAMEWORK_RUNTIME_TRACE_TRACE_RECORDER_H_

#include <array>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "framework/rng.h"
#include "framework/runtime/trace/trace.h"

namespace faultline {
namespace internal {

class TraceRecorder {
 public:
  TraceRecorder(bool keep_events, uint64_t reserve_steps);

  // The object's id (1-based), assigned at first appearance.
  uint32_t ObjectId(const void* object, const char* label) {
    CachedId& cached = id_cache_[CacheSlot(object)];
    if (cached.object == object && cached.id != 0) return cached.id;
    const uint32_t id = LookUpObjectId(object, label);
    cached = {object, id};
    return id;
  }
  void AddTask(uint32_t ordinal, const std::string& name,
               const std::string& role);
  void Decision(uint32_t task, bool preemption, bool is_default) {
    const uint64_t step = ++trace_.step_count;
    if (!is_default) trace_.switches.push_back({step, task, preemption});
    if (keep_events_)
      trace_.decisions.push_back({task, preemption, is_default});
    decision_hash_ = Fold(decision_hash_, task | (uint64_t{preemption} << 32) |
                                              (uint64_t{is_default} << 33));
  }
  // An operation event; the hot path, so it takes plain values.
  void Op(uint64_t step, uint32_t task, OpKind op, uint32_t object,
          int64_t before, int64_t after);
  // Any other event.
  void Event(TraceEvent event);
  // A note event (what Event folds for kind kNote, object 0, before 0),
  // without copying the text or the state when events are not kept.
  void Note(uint64_t step, uint32_t task, absl::string_view text,
            StateSnapshot state);
  // The state at the end of `step` (rendering replays only; not hashed).
  // The first snapshot of a step wins: later ones come from unwinding.
  void StepEnd(uint64_t step, StateSnapshot state) {
    if (!trace_.step_states.empty() && trace_.step_states.back().step >= step)
      return;
    trace_.step_states.push_back({step, std::move(state)});
  }
  // Marks the objects whose operations the rendered table leaves out.
  void HideObjects(const std::function<bool(absl::string_view)>& shown);
  bool keep_events() const { return keep_events_; }
  const Trace& trace() const { return trace_; }
  // Moves the trace out with its final hash.
  Trace Finish();

 private:
  // One multiply and one xor-shift a word: the hash only has to tell runs
  // apart (Finish mixes the result fully), and an operation folds four
  // words, so two full Mix64 rounds a word were most of its cost.
  static uint64_t Fold(uint64_t h, uint64_t word) {
    h = (h ^ word) * 0x9e3779b97f4a7c15ULL;
    return h ^ (h >> 29);
  }

  struct CachedId {
    const void* object = nullptr;
    uint32_t id = 0;  // 0: empty
  };
  static constexpr size_t kIdCacheSize = 128;
  // Operation objects are fields a few words apart in model structs.
  static size_t CacheSlot(const void* object) {
    const uintptr_t p = reinterpret_cast<uintptr_t>(object);
    return ((p >> 3) ^ (p >> 10)) & (kIdCacheSize - 1);
  }
  uint32_t LookUpObjectId(const void* object, const char* label);

  const bool keep_events_;
  Trace trace_;
  absl::flat_hash_map<const void*, uint32_t> ids_;
  std::array<CachedId, kIdCacheSize> id_cache_{};
  uint64_t decision_hash_ = 0x243f6a8885a308d3ULL;  // pi fraction: fixed
  uint64_t event_hash_ = 0x13198a2e03707344ULL;
};

}  // namespace internal
}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RUNTIME_TRACE_TRACE_RECORDER_H_
