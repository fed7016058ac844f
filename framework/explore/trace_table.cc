// Plain-text CPU-column tables (see trace_table.h).
#include "framework/explore/trace_table.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "framework/check.h"

namespace faultline {
namespace {

// Greedy word wrap; words longer than the width are cut.
std::vector<std::string> Wrap(absl::string_view text, size_t width) {
  std::vector<std::string> lines;
  std::string line;
  for (absl::string_view word : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
    while (word.size() > width) {
      if (!line.empty()) lines.push_back(std::move(line)), line.clear();
      lines.emplace_back(word.substr(0, width));
      word.remove_prefix(width);
    }
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      lines.push_back(std::move(line));
      line.clear();
    }
    if (!line.empty()) line += ' ';
    absl::StrAppend(&line, word);
  }
  if (!line.empty() || lines.empty()) lines.push_back(std::move(line));
  FL_CHECK(!lines.empty());
  for (const std::string& l : lines) FL_CHECK(l.size() <= width);
  return lines;
}

std::string Pad(absl::string_view s, size_t width) {
  std::string out(s);
  if (out.size() < width) out.append(width - out.size(), ' ');
  return out;
}

bool SameRow(const TableRow& a, const TableRow& b) {
  return a.column == b.column && a.text == b.text && a.state == b.state;
}

// How many times rows[i, i + period) repeats right after itself.
size_t Repeats(const std::vector<TableRow>& rows, size_t i, size_t period) {
  FL_CHECK(period > 0);
  size_t count = 0;
  for (size_t next = i + period; next + period <= rows.size(); next += period) {
    for (size_t k = 0; k < period; ++k) {
      if (!SameRow(rows[i + k], rows[next + k])) return count;
    }
    ++count;
  }
  return count;
}

}  // namespace

std::vector<TableRow> FoldRepeats(const std::vector<TableRow>& rows,
                                  int period_max) {
  std::vector<TableRow> out;
  size_t i = 0;
  while (i < rows.size()) {
    size_t best_period = 0;
    size_t best_repeats = 0;
    for (size_t period = 1; period <= static_cast<size_t>(period_max);
         ++period) {
      const size_t repeats = Repeats(rows, i, period);
      // Prefer the period that hides the most rows.
      if (repeats > 0 && repeats * period > best_repeats * best_period) {
        best_period = period;
        best_repeats = repeats;
      }
    }
    if (best_period == 0) {
      out.push_back(rows[i++]);
      continue;
    }
    out.insert(out.end(), rows.begin() + i, rows.begin() + i + best_period);
    TableRow fold = rows[i + best_period - 1];
    const char* times = best_repeats == 1 ? " more time)" : " more times)";
    fold.text =
        best_period == 1
            ? absl::StrCat("(the row above repeats ", best_repeats, times)
            : absl::StrCat("(the ", best_period, " rows above repeat ",
                           best_repeats, times);
    out.push_back(std::move(fold));
    i += best_period * (best_repeats + 1);
  }
  FL_CHECK(out.size() <= rows.size());
  return out;
}

namespace {

// The widths of one table's columns: row number, tasks, then state.
struct TableLayout {
  size_t text_width = 0;  // task text wraps at this width
  size_t index_width = 0;
  std::vector<size_t> task_widths;  // one per TableSpec::columns
  std::vector<std::string> state_names;
  std::vector<size_t> state_widths;  // one per state_names
};

// Task columns fit their header and their (wrapped) text.
std::vector<size_t> TaskWidths(const TableSpec& spec,
                               const std::vector<TableRow>& rows,
                               size_t text_width) {
  std::vector<size_t> widths;
  for (const std::string& header : spec.columns) {
    widths.push_back(std::min(std::max<size_t>(header.size(), 4), text_width));
  }
  for (const TableRow& row : rows) {
    if (row.column >= 0 && row.column < static_cast<int>(widths.size())) {
      widths[row.column] =
          std::max(widths[row.column], std::min(row.text.size(), text_width));
    }
  }
  return widths;
}

// State names in order of first appearance.
std::vector<std::string> StateNames(const std::vector<TableRow>& rows) {
  std::vector<std::string> state_names;
  for (const TableRow& row : rows) {
    for (const auto& [name, value] : row.state) {
      if (std::find(state_names.begin(), state_names.end(), name) ==
          state_names.end()) {
        state_names.push_back(name);
      }
    }
  }
  return state_names;
}

// State columns fit their name and every value they show.
std::vector<size_t> StateWidths(const std::vector<std::string>& state_names,
                                const std::vector<TableRow>& rows) {
  std::vector<size_t> state_widths;
  for (const std::string& name : state_names) {
    size_t w = name.size();
    for (const TableRow& row : rows) {
      for (const auto& [n, v] : row.state) {
        if (n == name) w = std::max(w, v.size());
      }
    }
    state_widths.push_back(w);
  }
  return state_widths;
}

TableLayout Measure(const TableSpec& spec, const std::vector<TableRow>& rows) {
  TableLayout layout;
  layout.text_width = std::max(8, spec.max_text_width);
  layout.task_widths = TaskWidths(spec, rows, layout.text_width);
  layout.state_names = StateNames(rows);
  layout.state_widths = StateWidths(layout.state_names, rows);
  layout.index_width = std::max<size_t>(2, absl::StrCat(rows.size()).size());
  FL_CHECK(layout.task_widths.size() == spec.columns.size());
  FL_CHECK(layout.state_widths.size() == layout.state_names.size());
  return layout;
}

// One line of cells (row number, tasks, state), padded to the layout and
// without trailing blanks.
void AppendLine(const TableLayout& layout,
                const std::vector<std::string>& cells, std::string* out) {
  const std::vector<size_t>& widths = layout.task_widths;
  FL_CHECK(cells.size() == 1 + widths.size() + layout.state_widths.size());
  std::string line = Pad(cells[0], layout.index_width);
  for (size_t i = 1; i < cells.size(); ++i) {
    const size_t w = i - 1 < widths.size()
                         ? widths[i - 1]
                         : layout.state_widths[i - 1 - widths.size()];
    absl::StrAppend(&line, " | ", Pad(cells[i], w));
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  absl::StrAppend(out, line, "\n");
}

// The column headers and the rule under them.
void AppendHeader(const TableSpec& spec, const TableLayout& layout,
                  std::string* out) {
  std::vector<std::string> header = {"#"};
  for (const std::string& c : spec.columns) header.push_back(c);
  for (const std::string& s : layout.state_names) header.push_back(s);
  AppendLine(layout, header, out);
  std::string rule(layout.index_width, '-');
  for (size_t w : layout.task_widths) {
    absl::StrAppend(&rule, "-+-", std::string(w, '-'));
  }
  for (size_t w : layout.state_widths) {
    absl::StrAppend(&rule, "-+-", std::string(w, '-'));
  }
  absl::StrAppend(out, rule, "\n");
}

// Row `number` (1-based): its text wrapped in its task's column, its state
// on the first line only.
void AppendRow(const TableSpec& spec, const TableLayout& layout,
               const TableRow& row, size_t number, std::string* out) {
  std::vector<std::string> wrapped = Wrap(row.text, layout.text_width);
  for (size_t l = 0; l < wrapped.size(); ++l) {
    std::vector<std::string> cells = {l == 0 ? absl::StrCat(number) : ""};
    for (size_t c = 0; c < spec.columns.size(); ++c) {
      cells.push_back(static_cast<int>(c) == row.column ? wrapped[l] : "");
    }
    for (const std::string& name : layout.state_names) {
      std::string value;
      if (l == 0) {
        for (const auto& [n, v] : row.state) {
          if (n == name) value = v;
        }
      }
      cells.push_back(value);
    }
    AppendLine(layout, cells, out);
  }
}

}  // namespace

std::string RenderTable(const TableSpec& spec,
                        const std::vector<TableRow>& rows) {
  const TableLayout layout = Measure(spec, rows);
  std::string out;
  AppendHeader(spec, layout, &out);
  for (size_t r = 0; r < rows.size(); ++r) {
    AppendRow(spec, layout, rows[r], r + 1, &out);
  }
  return out;
}

}  // namespace faultline
