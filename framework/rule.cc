// Rule filters and names (see rule.h).
#include "framework/rule.h"

#include <algorithm>

namespace faultline {

bool CompiledRule::MatchesTask(const std::string& task_name,
                               const std::string& task_role) const {
  if (tasks.empty()) return true;
  for (const std::string& want : tasks) {
    if (want == task_name || (!task_role.empty() && want == task_role)) {
      return true;
    }
  }
  return false;
}

bool CompiledRule::MatchesKey(uint64_t key) const {
  return keys.empty() || std::find(keys.begin(), keys.end(), key) != keys.end();
}

}  // namespace faultline
