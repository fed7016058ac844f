// Plan loading: reading the file, then parsing (plan_parser.h) and
// validation against this binary's registries (plan_validator.h); see
// plan_loader.h.
#include "framework/plan_loader.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "framework/plan_parser.h"
#include "framework/plan_position.h"
#include "framework/plan_validator.h"
#include "framework/site_registry.h"

namespace faultline {

absl::StatusOr<Plan> ParsePlanText(absl::string_view text,
                                   absl::string_view filename) {
  Plan plan;
  plan_internal::ParseInfoTree tree;
  if (absl::Status s =
          plan_internal::ParsePlanSyntax(text, filename, &plan, &tree);
      !s.ok()) {
    return s;
  }
  const plan_internal::PlanValidator validator(
      SiteRegistry::Get(), ScenarioRegistry::Global(), HookRegistry::Global(),
      CheckRegistry::Get(), filename, &tree);
  if (absl::Status s = validator.Check(plan); !s.ok()) return s;
  return plan;
}

absl::StatusOr<Plan> LoadPlanFile(const std::string& path) {
  // stat before open: opening a FIFO blocks until a writer comes, and
  // /dev/zero never ends, so only regular files of a bounded size are read.
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    const int error = errno;
    const std::string message =
        absl::StrCat(path, ": cannot open plan: ", std::strerror(error));
    if (error == ENOENT) return absl::NotFoundError(message);
    return absl::InvalidArgumentError(message);
  }
  if (!S_ISREG(info.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a regular file; a plan is a textproto file"));
  }
  if (info.st_size > kMaxPlanFileBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": plan is ", info.st_size, " bytes; the limit is ",
                     kMaxPlanFileBytes, " (1 MiB)"));
  }
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    const int error = errno;
    const std::string message =
        absl::StrCat(path, ": cannot open plan: ", std::strerror(error));
    if (error == ENOENT) return absl::NotFoundError(message);
    return absl::InvalidArgumentError(message);
  }
  std::string text;
  char buffer[8192];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file)) > 0 &&
         text.size() <= static_cast<size_t>(kMaxPlanFileBytes)) {
    text.append(buffer, n);
  }
  const bool read_failed = std::ferror(file) != 0;
  std::fclose(file);
  if (read_failed) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": cannot read plan"));
  }
  if (text.size() > static_cast<size_t>(kMaxPlanFileBytes)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": plan grew past ", kMaxPlanFileBytes,
                     " bytes (1 MiB) while being read"));
  }
  return ParsePlanText(text, path);
}

absl::Status ValidatePlan(const Plan& plan) {
  return ValidatePlan(plan, SiteRegistry::Get(), ScenarioRegistry::Global(),
                      HookRegistry::Global());
}

absl::Status ValidatePlan(const Plan& plan, const SiteRegistry& sites,
                          const ScenarioRegistry& scenarios,
                          const HookRegistry& hooks) {
  return plan_internal::PlanValidator(sites, scenarios, hooks,
                                      CheckRegistry::Get(), "", nullptr)
      .Check(plan);
}

}  // namespace faultline
