// The process-wide hook registry (see hooks.h).
#include "framework/hooks.h"

#include <utility>

#include "framework/check.h"

namespace faultline {

HookRegistry& HookRegistry::Global() {
  static HookRegistry* registry = new HookRegistry;
  return *registry;
}

int32_t HookRegistry::Register(std::string name, std::string description,
                               HookFn fn) {
  FL_CHECK(Find(name) == -1);
  hooks_.push_back({std::move(name), std::move(description), std::move(fn)});
  return static_cast<int32_t>(hooks_.size() - 1);
}

int32_t HookRegistry::Find(absl::string_view name) const {
  for (size_t i = 0; i < hooks_.size(); ++i) {
    if (hooks_[i].name == name) return static_cast<int32_t>(i);
  }
  return -1;
}

}  // namespace faultline
