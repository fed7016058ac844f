// The scenario registry and argument parsing (see scenario.h).
#include "framework/scenario.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "framework/check.h"
#include "framework/plan.pb.h"

namespace faultline {

ScenarioParam IntParam(std::string name, std::string default_value,
                       std::string help, int64_t min, int64_t max) {
  ScenarioParam param{std::move(name), std::move(default_value),
                      std::move(help)};
  param.kind = ParamKind::kInt;
  param.min = min;
  param.max = max;
  return param;
}

ScenarioParam BoolParam(std::string name, std::string default_value,
                        std::string help) {
  ScenarioParam param{std::move(name), std::move(default_value),
                      std::move(help)};
  param.kind = ParamKind::kBool;
  return param;
}

ScenarioParam EnumParam(std::string name, std::string default_value,
                        std::string help, std::vector<std::string> values) {
  ScenarioParam param{std::move(name), std::move(default_value),
                      std::move(help)};
  param.kind = ParamKind::kEnum;
  param.values = std::move(values);
  return param;
}

std::string CheckParamValue(const ScenarioParam& param,
                            absl::string_view value) {
  switch (param.kind) {
    case ParamKind::kText:
      return "";
    case ParamKind::kInt: {
      int64_t n = 0;
      if (absl::SimpleAtoi(value, &n) && n >= param.min && n <= param.max) {
        return "";
      }
      return absl::StrCat("expected an integer in [", param.min, ", ",
                          param.max, "], got \"", value, "\"");
    }
    case ParamKind::kBool: {
      bool b = false;
      if (absl::SimpleAtob(value, &b)) return "";
      return absl::StrCat("expected true or false, got \"", value, "\"");
    }
    case ParamKind::kEnum:
      for (const std::string& allowed : param.values) {
        if (allowed == value) return "";
      }
      return absl::StrCat("expected one of \"",
                          absl::StrJoin(param.values, "\", \""), "\", got \"",
                          value, "\"");
  }
  return "";
}

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
        absl::StrCat("scenario parameter \"", name,
                     "\": expected an integer, got \"", Get(name), "\""));
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
