// -----------------------------------------------------------------------------
// File: trace_render.h
// -----------------------------------------------------------------------------
//
// Turns a runtime Trace into the two views people read:
//
//   RenderTaskTable  the CPU-column table of a kernel commit message: one
//                    column per task, one row per model note, instrumented
//                    operation (load, store, rmw, bit op, lock, unlock,
//                    wait, wake: "rmw eb.refs 1->2", "set bit 1 of
//                    eb.bflags"; a scenario may narrow them with
//                    World::ShowOpsOn), injected fault and violation, with
//                    the world's state probe (e.g. refs, TREE_REF,
//                    io_pages, page lock holder) after each row's step
//                    (IterationConfig::probe_each_step; without it, as of
//                    the last note).
//   ChromeTraceJson  Chrome / Perfetto trace-event JSON: one track per task,
//                    steps as slices, notes and fault firings as instant
//                    events; open it in ui.perfetto.dev or chrome://tracing.

#ifndef FAULTLINE_FRAMEWORK_EXPLORE_TRACE_RENDER_H_
#define FAULTLINE_FRAMEWORK_EXPLORE_TRACE_RENDER_H_

#include <string>

#include "absl/status/statusor.h"
#include "framework/runtime/trace/trace.h"

namespace faultline {

std::string RenderTaskTable(const Trace& trace, int max_text_width = 34);

absl::StatusOr<std::string> ChromeTraceJson(const Trace& trace);

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_EXPLORE_TRACE_RENDER_H_
