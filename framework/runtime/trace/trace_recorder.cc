// The recorder that builds traces while an iteration runs (see
// trace_recorder.h).
#include "framework/runtime/trace/trace_recorder.h"

#include <utility>

#include "framework/check.h"
#include "framework/rng.h"
#include "framework/runtime/label_table.h"

namespace faultline {
namespace internal {

TraceRecorder::TraceRecorder(bool keep_events, uint64_t reserve_steps)
    : keep_events_(keep_events) {
  if (keep_events_) {
    trace_.decisions.reserve(reserve_steps);
    trace_.events.reserve(reserve_steps);
  }
}

uint32_t TraceRecorder::LookUpObjectId(const void* object, const char* label) {
  auto [it, inserted] =
      ids_.try_emplace(object, static_cast<uint32_t>(ids_.size() + 1));
  if (inserted) {
    // Atomics keep their labels in the label table, not in themselves.
    label = ResolveLabel(object, label);
    trace_.objects.push_back(
        {label != nullptr ? label : "", true, IsFlagsWord(object)});
    event_hash_ = Fold(event_hash_, NameHash(trace_.objects.back().label));
  }
  FL_CHECK(it->second >= 1 && it->second <= trace_.objects.size());
  return it->second;
}

void TraceRecorder::AddTask(uint32_t ordinal, const std::string& name,
                            const std::string& role) {
  FL_CHECK(ordinal == trace_.tasks.size() + 1);
  trace_.tasks.push_back({ordinal, name, role});
  event_hash_ = Fold(event_hash_, NameHash(name));
}

void TraceRecorder::Op(uint64_t step, uint32_t task, OpKind op, uint32_t object,
                       int64_t before, int64_t after) {
  uint64_t h = Fold(event_hash_, step);
  h = Fold(h, task | (uint64_t{static_cast<uint8_t>(op)} << 32) |
                  (uint64_t{object} << 40));
  h = Fold(h, static_cast<uint64_t>(before));
  event_hash_ = Fold(h, static_cast<uint64_t>(after));
  if (!keep_events_) return;
  trace_.events.emplace_back();
  TraceEvent& e = trace_.events.back();
  e.step = step;
  e.task = task;
  e.op = op;
  e.object = object;
  e.before = before;
  e.after = after;
}

void TraceRecorder::Event(TraceEvent event) {
  uint64_t h = Fold(event_hash_, event.step);
  h = Fold(h, event.task | (uint64_t{static_cast<uint8_t>(event.kind)} << 32) |
                  (uint64_t{event.object} << 40));
  h = Fold(h, static_cast<uint64_t>(event.before));
  // Not event.state: probed state is for rendering and only present when
  // events are kept; the hash must not depend on that.
  event_hash_ = Fold(h, NameHash(event.text));
  if (keep_events_) trace_.events.push_back(std::move(event));
}

void TraceRecorder::Note(uint64_t step, uint32_t task, absl::string_view text,
                         StateSnapshot state) {
  if (keep_events_) {
    TraceEvent event;
    event.step = step;
    event.task = task;
    event.kind = TraceEventKind::kNote;
    event.text = std::string(text);
    event.state = std::move(state);
    Event(std::move(event));
    return;
  }
  // The fold of Event() for this event, field for field.
  uint64_t h = Fold(event_hash_, step);
  h = Fold(
      h, task | (uint64_t{static_cast<uint8_t>(TraceEventKind::kNote)} << 32));
  h = Fold(h, 0);
  event_hash_ = Fold(h, NameHash(text));
}

void TraceRecorder::HideObjects(
    const std::function<bool(absl::string_view)>& shown) {
  for (TraceObject& object : trace_.objects) object.shown = shown(object.label);
}

Trace TraceRecorder::Finish() {
  trace_.hash = Mix64(Fold(decision_hash_, event_hash_));
  return std::move(trace_);
}

}  // namespace internal
}  // namespace faultline
