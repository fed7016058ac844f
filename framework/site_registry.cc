// Builds the SiteRegistry from the `faultline_sites` section (see
// fault_point.h for how sites get there).
#include "framework/site_registry.h"

#include <algorithm>
#include <cstring>
#include <tuple>
#include <utility>

#include "framework/rng.h"

// The linker defines these for any section whose name is a C identifier.
// Weak, so a binary without a single site still links.
extern "C" {
extern const faultline::SiteDescriptor* const __start_faultline_sites[]
    __attribute__((weak));
extern const faultline::SiteDescriptor* const __stop_faultline_sites[]
    __attribute__((weak));
}

namespace faultline {

const char* SiteKindName(SiteKind kind) {
  switch (kind) {
    case SiteKind::kPoint:
      return "point";
    case SiteKind::kFail:
      return "fail";
    case SiteKind::kError:
      return "error";
  }
  return "unknown";
}

SiteRegistry::SiteRegistry(std::vector<const SiteDescriptor*> sites,
                           bool assign_indices) {
  std::sort(sites.begin(), sites.end(),
            [](const SiteDescriptor* a, const SiteDescriptor* b) {
              int by_name = std::strcmp(a->name, b->name);
              if (by_name != 0) return by_name < 0;
              int by_file = std::strcmp(a->file, b->file);
              if (by_file != 0) return by_file < 0;
              return a->line < b->line;
            });
  for (const SiteDescriptor* site : sites) {
    if (points_.empty() || points_.back().name != site->name) {
      PointInfo info;
      info.name = site->name;
      info.index = static_cast<int32_t>(points_.size());
      info.name_hash = NameHash(info.name);
      by_name_.emplace(info.name, info.index);
      points_.push_back(std::move(info));
    }
    PointInfo& info = points_.back();
    // Inline functions can contribute the same descriptor from several
    // translation units; keep one.
    if (!info.sites.empty() && info.sites.back() == site) continue;
    info.sites.push_back(site);
    info.has_fail_site |= site->kind == SiteKind::kFail;
    info.has_error_site |= site->kind == SiteKind::kError;
    if (assign_indices) {
      site->index.store(info.index, std::memory_order_relaxed);
    }
  }
}

const SiteRegistry& SiteRegistry::Get() {
  static const SiteRegistry* registry = [] {
    std::vector<const SiteDescriptor*> sites;
    if (__start_faultline_sites != nullptr) {
      for (const SiteDescriptor* const* it = __start_faultline_sites;
           it != __stop_faultline_sites; ++it) {
        if (*it != nullptr) sites.push_back(*it);
      }
    }
    return new SiteRegistry(std::move(sites), /*assign_indices=*/true);
  }();
  return *registry;
}

int32_t SiteRegistry::Find(absl::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? -1 : it->second;
}

}  // namespace faultline
