// CPU-column tables and Chrome trace JSON from a Trace (see
// trace_render.h).
#include "framework/explore/trace_render.h"

#include <google/protobuf/util/json_util.h>

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "framework/check.h"
#include "framework/explore/chrome_trace.pb.h"
#include "framework/explore/trace_table.h"

namespace faultline {
namespace {

std::string TaskHeader(const TraceTask& task) {
  return task.role.empty() || task.role == task.name
             ? task.name
             : absl::StrCat(task.name, " (", task.role, ")");
}

// "bit 4" or "bits 0, 4": the bits set in `mask`.
std::string Bits(uint64_t mask) {
  std::vector<std::string> bits;
  for (int bit = 0; bit < 64; ++bit) {
    if ((mask >> bit) & 1) bits.push_back(absl::StrCat(bit));
  }
  return absl::StrCat(bits.size() == 1 ? "bit " : "bits ",
                      absl::StrJoin(bits, ", "));
}

std::string Hex(int64_t value) {
  return absl::StrCat("0x", absl::Hex(static_cast<uint64_t>(value)));
}

// A read-modify-write of a flags word, as the bit operation it was.
std::string FlagsRmwText(const std::string& label, int64_t before,
                         int64_t after) {
  const uint64_t b = static_cast<uint64_t>(before);
  const uint64_t a = static_cast<uint64_t>(after);
  const uint64_t set = a & ~b;
  const uint64_t cleared = b & ~a;
  if (set == 0 && cleared == 0) {
    return absl::StrCat("rmw ", label, " ", Hex(before), " (unchanged)");
  }
  std::string text;
  if (set != 0) absl::StrAppend(&text, "set ", Bits(set));
  if (cleared != 0) {
    absl::StrAppend(&text, text.empty() ? "" : ", ", "clear ", Bits(cleared));
  }
  return absl::StrCat(text, " of ", label);
}

// The row text of an instrumented operation, or "" for the operations a
// table leaves out: fault point hits (a fired rule has its own row), notes,
// yields, sleeps and spawns.
std::string OpText(const Trace& trace, const TraceEvent& event) {
  using internal::OpKind;
  static const TraceObject kNone;
  const TraceObject& object =
      event.object != 0 && event.object <= trace.objects.size()
          ? trace.objects[event.object - 1]
          : kNone;
  const std::string& label = object.label;
  auto value = [&](int64_t v) {
    return object.flags ? Hex(v) : absl::StrCat(v);
  };
  switch (event.op) {
    case OpKind::kLoad:
      return absl::StrCat("load ", label, " = ", value(event.after));
    case OpKind::kStore:
      return absl::StrCat("store ", label, " ", value(event.before), "->",
                          value(event.after));
    case OpKind::kRmw: {
      if (object.flags) return FlagsRmwText(label, event.before, event.after);
      if (event.before == event.after) {
        return absl::StrCat("rmw ", label, " ", event.before, " (unchanged)");
      }
      return absl::StrCat("rmw ", label, " ", event.before, "->", event.after);
    }
    case OpKind::kLock:
      return absl::StrCat("lock ", label);
    case OpKind::kTryLock:
      return absl::StrCat("trylock ", label,
                          event.after != event.before ? "" : ": busy");
    case OpKind::kUnlock:
      return absl::StrCat("unlock ", label);
    case OpKind::kWait:
      return absl::StrCat("wait ", label);
    case OpKind::kWake:
      return absl::StrCat("wake ", label);
    case OpKind::kRcuRead:
      return absl::StrCat("rcu_read_lock ", label);
    case OpKind::kRcuUnlock:
      return absl::StrCat("rcu_read_unlock ", label);
    case OpKind::kSpawn:
    case OpKind::kNote:
    case OpKind::kFault:
    case OpKind::kYield:
    case OpKind::kSleep:
      return "";
  }
  return "";
}

// True if `event` gets a row: notes, fired rules, violations, and the
// operations of objects the scenario did not leave out (World::ShowOpsOn).
bool HasRow(const Trace& trace, const TraceEvent& event) {
  if (event.task == 0) return false;  // controller: build and quiescence
  switch (event.kind) {
    case TraceEventKind::kNote:
    case TraceEventKind::kRuleFired:
    case TraceEventKind::kViolation:
      return true;
    case TraceEventKind::kOp:
      return (event.object == 0 || event.object > trace.objects.size() ||
              trace.objects[event.object - 1].shown) &&
             !OpText(trace, event).empty();
    default:
      return false;
  }
}

TableRow MakeRow(const Trace& trace, const TraceEvent& event,
                 const StateSnapshot& state) {
  FL_CHECK(event.task != 0);  // the controller has no column
  TableRow row;
  row.column = static_cast<int>(event.task) - 1;
  switch (event.kind) {
    case TraceEventKind::kRuleFired:
      row.text = absl::StrCat("[fault] ", event.text);
      break;
    case TraceEventKind::kViolation:
      row.text = absl::StrCat("!!! ", event.text);
      break;
    case TraceEventKind::kOp:
      row.text = OpText(trace, event);
      break;
    default:
      row.text = event.text;
  }
  row.state = state;
  return row;
}

}  // namespace

std::string RenderTaskTable(const Trace& trace, int max_text_width) {
  TableSpec spec;
  spec.max_text_width = max_text_width;
  for (const TraceTask& task : trace.tasks)
    spec.columns.push_back(TaskHeader(task));
  std::vector<TableRow> rows;
  // Without per-step probes (the thread backend, runs that kept no step
  // states) a row shows the last note's state at or before it.
  StateSnapshot last_note;
  for (const TraceEvent& event : trace.events) {
    if (event.kind == TraceEventKind::kNote && !event.state.empty()) {
      last_note = event.state;
    }
    if (!HasRow(trace, event)) continue;
    const StateSnapshot* after = trace.StateAfter(event.step);
    rows.push_back(
        MakeRow(trace, event, after != nullptr ? *after : last_note));
  }
  return RenderTable(spec, FoldRepeats(rows));
}

absl::StatusOr<std::string> ChromeTraceJson(const Trace& trace) {
  chrome::TraceFile file;
  file.set_displaytimeunit("ns");
  for (const TraceTask& task : trace.tasks) {
    chrome::Event* meta = file.add_traceevents();
    meta->set_name("thread_name");
    meta->set_ph("M");
    meta->set_pid(1);
    meta->set_tid(task.ordinal);
    (*meta->mutable_args())["name"] = TaskHeader(task);
  }
  for (uint64_t i = 0; i < trace.decisions.size(); ++i) {
    const TraceDecision& d = trace.decisions[i];
    chrome::Event* step = file.add_traceevents();
    step->set_name(d.preemption ? "step (preempted)" : "step");
    step->set_cat("schedule");
    step->set_ph("X");
    step->set_ts(static_cast<double>(i + 1));
    step->set_dur(1);
    step->set_pid(1);
    step->set_tid(d.task);
  }
  for (const TraceEvent& event : trace.events) {
    if (event.kind != TraceEventKind::kNote &&
        event.kind != TraceEventKind::kRuleFired &&
        event.kind != TraceEventKind::kViolation) {
      continue;
    }
    chrome::Event* e = file.add_traceevents();
    e->set_name(event.text);
    e->set_cat(TraceEventKindName(event.kind));
    e->set_ph("i");
    e->set_s("t");
    e->set_ts(static_cast<double>(event.step) + 0.5);
    e->set_pid(1);
    e->set_tid(event.task);
    for (const auto& [name, value] : event.state)
      (*e->mutable_args())[name] = value;
  }
  std::string json;
  auto status = google::protobuf::util::MessageToJsonString(file, &json);
  if (!status.ok()) return absl::InternalError(std::string(status.message()));
  return json;
}

}  // namespace faultline
