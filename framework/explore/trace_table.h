// -----------------------------------------------------------------------------
// File: trace_table.h
// -----------------------------------------------------------------------------
//
// Renders a trace as the table a kernel commit message uses to explain a
// race: one column per task (CPU0, CPU1, ...), one row per relevant step,
// each row's text in the column of the task that did it, followed by state
// columns (refs, TREE_REF, io_pages, ...) as they were after that step.
//
// The renderer knows nothing about where rows come from; trace_render.h
// selects them from a runtime Trace.
//
// Example output:
//   #  | CPU0 (cpu0)            | CPU1 (cpu1)             | refs | TREE_REF
//   ---+------------------------+-------------------------+------+---------
//   1  |                        | alloc_extent_buffer ... | 2    | 1

#ifndef FAULTLINE_FRAMEWORK_EXPLORE_TRACE_TABLE_H_
#define FAULTLINE_FRAMEWORK_EXPLORE_TRACE_TABLE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace faultline {

struct TableRow {
  int column = 0;  // index into TableSpec::columns
  std::string text;
  // State after this row: (name, value) pairs. Names become columns in
  // order of first appearance.
  std::vector<std::pair<std::string, std::string>> state;
};

struct TableSpec {
  std::vector<std::string> columns;  // task column headers
  int max_text_width = 36;           // longer text wraps
};

std::string RenderTable(const TableSpec& spec,
                        const std::vector<TableRow>& rows);

// Folds a block of up to `period_max` rows that repeats back to back (a
// polling loop, a reclaim scan that finds nothing) into one copy and a
// "(... repeat N more times)" row, so a table shows what changed.
std::vector<TableRow> FoldRepeats(const std::vector<TableRow>& rows,
                                  int period_max = 6);

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_EXPLORE_TRACE_TABLE_H_
