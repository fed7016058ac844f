// CPU-column tables and Chrome trace JSON from a Trace (see
// trace_render.h).
#include "framework/explore/trace_render.h"

#include <google/protobuf/util/json_util.h>

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
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

// The last state snapshot seen at or before each row, so fault and violation
// rows show the state they happened in.
TableRow MakeRow(const TraceEvent& event, const StateSnapshot& state) {
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
  StateSnapshot state;
  for (const TraceEvent& event : trace.events) {
    if (event.task == 0) continue;  // controller: build and quiescence
    if (event.kind == TraceEventKind::kNote) {
      if (!event.state.empty()) state = event.state;
      rows.push_back(MakeRow(event, state));
    } else if (event.kind == TraceEventKind::kRuleFired ||
               event.kind == TraceEventKind::kViolation) {
      rows.push_back(MakeRow(event, state));
    }
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
