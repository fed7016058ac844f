// Trace queries and rendering, and the recorder that builds traces (see
// trace.h and internal/trace_recorder.h).
#include "framework/runtime/trace.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "framework/check.h"
#include "framework/rng.h"
#include "framework/runtime/internal/trace_recorder.h"

namespace faultline {

const char* TraceEventKindName(TraceEventKind kind) {
  switch (kind) {
    case TraceEventKind::kOp:
      return "op";
    case TraceEventKind::kNote:
      return "note";
    case TraceEventKind::kRuleFired:
      return "rule";
    case TraceEventKind::kBlock:
      return "block";
    case TraceEventKind::kWake:
      return "wake";
    case TraceEventKind::kSpawn:
      return "spawn";
    case TraceEventKind::kExit:
      return "exit";
    case TraceEventKind::kViolation:
      return "violation";
  }
  return "?";
}

uint64_t Trace::preemptions() const {
  return std::count_if(switches.begin(), switches.end(),
                       [](const TraceSwitch& d) { return d.preemption; });
}

std::vector<std::pair<uint32_t, uint32_t>> Trace::Switches() const {
  std::vector<std::pair<uint32_t, uint32_t>> out;
  out.reserve(switches.size());
  for (const TraceSwitch& d : switches) {
    out.emplace_back(static_cast<uint32_t>(d.step), d.task);
  }
  return out;
}

std::vector<uint32_t> Trace::ChosenTasks() const {
  std::vector<uint32_t> out;
  out.reserve(decisions.size());
  for (const TraceDecision& d : decisions) out.push_back(d.task);
  return out;
}

namespace {

std::string TaskLabel(const Trace& trace, uint32_t ordinal) {
  if (ordinal == 0) return "-";
  if (ordinal <= trace.tasks.size()) return trace.tasks[ordinal - 1].name;
  return absl::StrCat("#", ordinal);
}

std::string RenderEvent(const Trace& trace, const TraceEvent& e) {
  std::string line = absl::StrCat("step ", e.step, " [", TaskLabel(trace, e.task),
                                  "] ", TraceEventKindName(e.kind));
  if (e.kind == TraceEventKind::kOp) {
    absl::StrAppend(&line, " ", internal::OpKindName(e.op));
  }
  if (e.object != 0 && e.object <= trace.objects.size()) {
    absl::StrAppend(&line, " ", trace.objects[e.object - 1].label);
  }
  if (e.kind == TraceEventKind::kOp) {
    absl::StrAppend(&line, " ", e.before, " -> ", e.after);
  }
  if (!e.text.empty()) absl::StrAppend(&line, " ", e.text);
  for (const auto& [name, value] : e.state) {
    absl::StrAppend(&line, " ", name, "=", value);
  }
  return line;
}

}  // namespace

std::string Trace::Render() const {
  // A thread-backend trace has no decisions, and its events' steps are op
  // counts in the order each thread took them, not a schedule.
  std::string out =
      step_count == 0 && !events.empty()
          ? absl::StrCat("trace of real threads, ", events.size(),
                         " events, hash ", hash, "\n")
          : absl::StrCat("trace ", steps(), " steps, ", preemptions(),
                         " preemptions, hash ", hash, "\n");
  size_t next = 0;  // the next switch to show
  auto switches_through = [&](uint64_t last) {
    for (; next < switches.size() && switches[next].step <= last; ++next) {
      const TraceSwitch& d = switches[next];
      absl::StrAppend(&out, "step ", d.step, " switch to ",
                      TaskLabel(*this, d.task),
                      d.preemption ? " (preemption)" : "", "\n");
    }
  };
  for (const TraceEvent& event : events) {
    switches_through(event.step);
    absl::StrAppend(&out, RenderEvent(*this, event), "\n");
  }
  switches_through(step_count);
  return out;
}

namespace internal {

TraceRecorder::TraceRecorder(bool keep_events, uint64_t reserve_steps)
    : keep_events_(keep_events) {
  if (keep_events_) {
    trace_.decisions.reserve(reserve_steps);
    trace_.events.reserve(reserve_steps);
  }
}

uint32_t TraceRecorder::ObjectId(const void* object, const char* label) {
  auto [it, inserted] =
      ids_.try_emplace(object, static_cast<uint32_t>(ids_.size() + 1));
  if (inserted) {
    trace_.objects.push_back({label != nullptr ? label : ""});
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

void TraceRecorder::Op(uint64_t step, uint32_t task, OpKind op,
                       uint32_t object, int64_t before, int64_t after) {
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
  h = Fold(h, NameHash(event.text));
  for (const auto& [name, value] : event.state) {
    h = Fold(Fold(h, NameHash(name)), NameHash(value));
  }
  event_hash_ = h;
  if (keep_events_) trace_.events.push_back(std::move(event));
}

Trace TraceRecorder::Finish() {
  trace_.hash = Fold(decision_hash_, event_hash_);
  return std::move(trace_);
}

}  // namespace internal
}  // namespace faultline
