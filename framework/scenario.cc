// The scenario registry and argument parsing (see scenario.h).
#include "framework/scenario.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "framework/check.h"
#include "framework/plan.pb.h"

namespace faultline {

ScenarioRegistry& ScenarioRegistry::Global() {
  static ScenarioRegistry* registry = new ScenarioRegistry;
  return *registry;
}

void ScenarioRegistry::Register(ScenarioInfo info) {
  FL_CHECK(Find(info.name) == nullptr);
  FL_CHECK(info.build != nullptr);
  scenarios_.push_back(std::move(info));
}

const ScenarioInfo* ScenarioRegistry::Find(absl::string_view name) const {
  for (const ScenarioInfo& info : scenarios_) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

std::vector<const ScenarioInfo*> ScenarioRegistry::List() const {
  std::vector<const ScenarioInfo*> out;
  for (const ScenarioInfo& info : scenarios_) out.push_back(&info);
  std::sort(out.begin(), out.end(),
            [](const ScenarioInfo* a, const ScenarioInfo* b) {
              return a->name < b->name;
            });
  return out;
}

ScenarioArgs ScenarioArgs::FromPlan(const ScenarioInfo& info,
                                    const Scenario& scenario) {
  absl::flat_hash_map<std::string, std::string> values;
  for (const ScenarioParam& param : info.params) {
    values[param.name] = param.default_value;
  }
  for (const auto& [name, value] : scenario.params()) values[name] = value;
  std::string variant = scenario.variant();
  if (variant.empty() && !info.variants.empty()) variant = info.variants[0];
  return ScenarioArgs(std::move(variant), std::move(values));
}

const std::string& ScenarioArgs::Get(absl::string_view name) const {
  static const std::string* kEmpty = new std::string;
  auto it = values_.find(name);
  return it == values_.end() ? *kEmpty : it->second;
}

absl::StatusOr<int64_t> ScenarioArgs::GetInt(absl::string_view name) const {
  int64_t value = 0;
  if (!absl::SimpleAtoi(Get(name), &value)) {
    return absl::InvalidArgumentError(
        absl::StrCat("scenario parameter \"", name, "\": expected an integer, got \"",
                     Get(name), "\""));
  }
  return value;
}

absl::StatusOr<bool> ScenarioArgs::GetBool(absl::string_view name) const {
  bool value = false;
  if (!absl::SimpleAtob(Get(name), &value)) {
    return absl::InvalidArgumentError(
        absl::StrCat("scenario parameter \"", name,
                     "\": expected true or false, got \"", Get(name), "\""));
  }
  return value;
}

}  // namespace faultline
