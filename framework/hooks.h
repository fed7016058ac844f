// -----------------------------------------------------------------------------
// File: hooks.h
// -----------------------------------------------------------------------------
//
// Named hooks that a plan's `trigger` action runs at a fault point, e.g.
// "btrfs_eb.force_reclaim". A package registers its hooks at static
// initialization with FL_REGISTER_HOOK; the plan loader checks hook names
// against this registry (with did-you-mean).
//
// A hook runs on the task that hit the point, inside the run, so it may use
// instrumented primitives (and is itself subject to scheduling). It reaches
// the iteration's world through HookCall::run.
//
// Example:
//   FL_REGISTER_HOOK("btrfs_eb.force_reclaim",
//                    "runs btree_releasepage on the page at the site key",
//                    [](faultline::HookCall& call) {
//                      auto* fs = call.run.world<FsInfo>();
//                      ...
//                    });
//
// Thread-safety: registration happens before main(); lookups are read-only.

#ifndef FAULTLINE_FRAMEWORK_HOOKS_H_
#define FAULTLINE_FRAMEWORK_HOOKS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "framework/token_concat.h"

namespace faultline {

class RunContext;
struct CompiledRule;

struct HookCall {
  RunContext& run;
  const CompiledRule& rule;
  absl::string_view arg;  // the rule's trigger.arg
  uint64_t key;           // the site key of the hit
};

using HookFn = std::function<void(HookCall&)>;

struct HookInfo {
  std::string name;
  std::string description;
  HookFn fn;
};

class HookRegistry {
 public:
  static HookRegistry& Global();

  // Returns an index; FL_CHECK-fails on a duplicate name.
  int32_t Register(std::string name, std::string description, HookFn fn);
  int32_t Find(absl::string_view name) const;  // -1 if unknown
  const HookInfo& hook(int32_t index) const { return hooks_[index]; }
  const std::vector<HookInfo>& hooks() const { return hooks_; }

 private:
  std::vector<HookInfo> hooks_;
};

namespace internal {
struct HookRegistrar {
  HookRegistrar(const char* name, const char* description, HookFn fn) {
    HookRegistry::Global().Register(name, description, std::move(fn));
  }
};
}  // namespace internal
}  // namespace faultline

#define FL_REGISTER_HOOK(name, description, fn)                         \
  static const ::faultline::internal::HookRegistrar FL_INTERNAL_CONCAT( \
      fl_hook_registrar_, __COUNTER__)(name, description, fn)

#endif  // FAULTLINE_FRAMEWORK_HOOKS_H_
