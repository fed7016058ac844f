// Builds the CheckRegistry from the checks FL_BUG_ON / FL_WARN_ON registered
// before main() (see check.h) and the runtime's own check names.
#include "framework/check_registry.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace faultline {

const std::vector<std::string>& RuntimeCheckNames() {
  static const auto* names = new std::vector<std::string>{
      "deadlock",               // fiber_decide.cc, fiber_primitives.cc
      "livelock.step_budget",   // fiber_decide.cc: max_steps exceeded
      "livelock.wall_time",     // fiber/wall_clock_guard.h
      "lock.unlock_not_owner",  // fiber_primitives.cc, thread_primitives.cc
      "task.exception",         // fiber_scheduler.cc, thread_scheduler.cc
      "watchdog.timeout",       // thread_scheduler.cc: thread_timeout_ms
  };
  return *names;
}

CheckRegistry::CheckRegistry(std::vector<const CheckDescriptor*> checks,
                             const std::vector<std::string>& runtime_names) {
  std::vector<std::pair<std::string, CheckInfo>> all;
  for (const CheckDescriptor* check : checks) {
    CheckInfo info;
    info.name = check->name;
    info.where.push_back(absl::StrCat(check->file, ":", check->line));
    info.fatal = check->fatal;
    all.emplace_back(info.name, std::move(info));
  }
  for (const std::string& name : runtime_names) {
    CheckInfo info;
    info.name = name;
    info.where.push_back("runtime");
    info.fatal = true;
    all.emplace_back(name, std::move(info));
  }
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return a.second.where < b.second.where;
  });
  for (auto& [name, info] : all) {
    if (checks_.empty() || checks_.back().name != name) {
      checks_.push_back(std::move(info));
      continue;
    }
    CheckInfo& merged = checks_.back();
    merged.fatal |= info.fatal;
    // Inline functions contribute the same use from several translation
    // units; keep one.
    if (merged.where.back() != info.where.front()) {
      merged.where.push_back(info.where.front());
    }
  }
}

const CheckRegistry& CheckRegistry::Get() {
  static const CheckRegistry* registry = [] {
    return new CheckRegistry(internal::RegisteredChecks(), RuntimeCheckNames());
  }();
  return *registry;
}

std::vector<std::string> CheckRegistry::Names() const {
  std::vector<std::string> names;
  names.reserve(checks_.size());
  for (const CheckInfo& info : checks_) names.push_back(info.name);
  return names;
}

bool CheckRegistry::Contains(absl::string_view name) const {
  auto it = std::lower_bound(
      checks_.begin(), checks_.end(), name,
      [](const CheckInfo& info, absl::string_view n) { return info.name < n; });
  return it != checks_.end() && it->name == name;
}

}  // namespace faultline
