// Goal: the CPU-column table puts each row's text under its task, wraps long
// text inside the column, and shows state columns in first-seen order.
// Method: render small row lists and compare exact text.
#include "framework/explore/trace_table.h"

#include "gtest/gtest.h"

namespace faultline {
namespace {

TEST(RenderTable, PutsTextInItsTaskColumnWithState) {
  TableSpec spec{{"CPU0", "CPU1"}, 20};
  std::vector<TableRow> rows = {
      {1, "alloc_extent_buffer", {{"refs", "2"}, {"TREE_REF", "1"}}},
      {0, "find_extent_buffer", {{"refs", "3"}, {"TREE_REF", "1"}}},
  };
  EXPECT_EQ(RenderTable(spec, rows),
            "#  | CPU0               | CPU1                | refs | TREE_REF\n"
            "---+--------------------+---------------------+------+---------\n"
            "1  |                    | alloc_extent_buffer | 2    | 1\n"
            "2  | find_extent_buffer |                     | 3    | 1\n");
}

TEST(RenderTable, WrapsLongTextWithinTheColumn) {
  TableSpec spec{{"A"}, 10};
  std::vector<TableRow> rows = {{0, "one two three four", {}}};
  EXPECT_EQ(RenderTable(spec, rows),
            "#  | A\n"
            "---+-----------\n"
            "1  | one two\n"
            "   | three four\n");
}

TEST(RenderTable, CutsWordsLongerThanTheWidth) {
  TableSpec spec{{"A"}, 8};
  std::vector<TableRow> rows = {{0, "abcdefghijkl", {}}};
  EXPECT_EQ(RenderTable(spec, rows),
            "#  | A\n"
            "---+---------\n"
            "1  | abcdefgh\n"
            "   | ijkl\n");
}

}  // namespace
}  // namespace faultline

namespace faultline {
namespace {

TEST(FoldRepeats, FoldsABlockThatRepeatsBackToBack) {
  std::vector<TableRow> rows = {
      {0, "start", {}},  {1, "lock", {}}, {1, "unlock", {}}, {1, "lock", {}},
      {1, "unlock", {}}, {1, "lock", {}}, {1, "unlock", {}}, {0, "end", {}}};
  std::vector<TableRow> folded = FoldRepeats(rows);
  ASSERT_EQ(folded.size(), 5u);
  EXPECT_EQ(folded[1].text, "lock");
  EXPECT_EQ(folded[2].text, "unlock");
  EXPECT_EQ(folded[3].text, "(the 2 rows above repeat 2 more times)");
  EXPECT_EQ(folded[3].column, 1);
  EXPECT_EQ(folded[4].text, "end");
}

TEST(FoldRepeats, KeepsRowsWhoseStateChanged) {
  std::vector<TableRow> rows = {{0, "inc", {{"refs", "1"}}},
                                {0, "inc", {{"refs", "2"}}},
                                {0, "inc", {{"refs", "2"}}}};
  std::vector<TableRow> folded = FoldRepeats(rows);
  ASSERT_EQ(folded.size(), 3u);
  EXPECT_EQ(folded[2].text, "(the row above repeats 1 more time)");
}

}  // namespace
}  // namespace faultline
