// Trace queries and rendering (see trace.h).
#include "framework/runtime/trace/trace.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "framework/check.h"

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

const StateSnapshot* Trace::StateAfter(uint64_t step) const {
  auto it = std::lower_bound(
      step_states.begin(), step_states.end(), step,
      [](const StepState& s, uint64_t want) { return s.step < want; });
  return it != step_states.end() && it->step == step ? &it->state : nullptr;
}

namespace {

std::string TaskLabel(const Trace& trace, uint32_t ordinal) {
  if (ordinal == 0) return "-";
  if (ordinal <= trace.tasks.size()) return trace.tasks[ordinal - 1].name;
  return absl::StrCat("#", ordinal);
}

std::string RenderEvent(const Trace& trace, const TraceEvent& e) {
  std::string line =
      absl::StrCat("step ", e.step, " [", TaskLabel(trace, e.task), "] ",
                   TraceEventKindName(e.kind));
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

}  // namespace faultline
