// Goal: every plan snippet in the documentation (README.md, docs/*.md)
// names a scenario, parameters, fault points and fields that exist, so a
// reader who copies it gets a plan that loads.
// Method: each ```textproto block is taken from the markdown. A block with
// `version:` is a whole plan and is loaded as it is; a block without it is
// a list of rules and is loaded inside a minimal seed_race plan. Loading
// validates against the points and scenarios this binary links
// (//btrfs_eb:scenarios), as `faultline check` does.
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "framework/plan_loader.h"
#include "gtest/gtest.h"

namespace faultline {
namespace {

struct Snippet {
  std::string file;
  int line = 0;  // of the opening fence
  std::string text;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<Snippet> TextprotoBlocks(const std::string& file) {
  std::vector<Snippet> blocks;
  Snippet* open = nullptr;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(ReadFile(file), '\n')) {
    ++line_no;
    if (open == nullptr && absl::StartsWith(line, "```textproto")) {
      blocks.push_back({file, line_no, ""});
      open = &blocks.back();
    } else if (open != nullptr && absl::StartsWith(line, "```")) {
      open = nullptr;
    } else if (open != nullptr) {
      absl::StrAppend(&open->text, line, "\n");
    }
  }
  EXPECT_EQ(open, nullptr) << file << ": unclosed ```textproto block";
  return blocks;
}

constexpr char kRulesHeader[] =
    "version: 1\n"
    "scenario { name: \"btrfs_eb.seed_race\" }\n"
    "expect { no_violation: true }\n";

TEST(DocPlans, EverySnippetLoads) {
  const std::vector<std::string> files = {
      "README.md",        "docs/ARCHITECTURE.md",
      "docs/btrfs_eb.md", "docs/plan_reference.md",
      "docs/runtime.md",  "docs/kernel_source.md",
  };
  int loaded = 0;
  for (const std::string& file : files) {
    for (const Snippet& s : TextprotoBlocks(file)) {
      const bool whole = absl::StrContains(s.text, "version:");
      const std::string text = whole ? s.text : kRulesHeader + s.text;
      absl::StatusOr<Plan> plan =
          ParsePlanText(text, absl::StrCat(s.file, ":", s.line));
      EXPECT_TRUE(plan.ok())
          << s.file << ":" << s.line << ": " << plan.status() << "\n"
          << text;
      ++loaded;
    }
  }
  // The plan reference and the model's page carry snippets; if none is
  // found the fence convention changed and this test checks nothing.
  EXPECT_GE(loaded, 3);
}

// The check above can fail: a snippet naming a point that does not exist
// is refused.
TEST(DocPlans, UnknownPointIsRefused) {
  const std::string text = absl::StrCat(
      kRulesHeader, "rules { point: \"eb.alloc.after_insert\" fail {} }\n");
  EXPECT_FALSE(ParsePlanText(text, "snippet").ok());
}

}  // namespace
}  // namespace faultline
