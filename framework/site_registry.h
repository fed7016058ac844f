// -----------------------------------------------------------------------------
// File: site_registry.h
// -----------------------------------------------------------------------------
//
// The list of every fault point compiled into this binary, built from the
// `faultline_sites` ELF section that the FL_FAULT_* macros fill at link time.
// Nothing has to run for a site to be listed: a point inside a function that
// is never called is still known, so plans can be validated against it and
// `faultline list-points` can show it.
//
// Sites that share a name (the same point used at several call sites) form
// one `PointInfo` with one dense index. Indices follow the sorted order of
// names, so they are the same in every process of the same binary.
//
// Thread-safety: Get() builds the registry once (thread-safe); it is
// immutable afterwards.

#ifndef FAULTLINE_FRAMEWORK_SITE_REGISTRY_H_
#define FAULTLINE_FRAMEWORK_SITE_REGISTRY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "framework/fault_point.h"

namespace faultline {

// One named point and the call sites that use its name.
struct PointInfo {
  std::string name;
  int32_t index = 0;
  uint64_t name_hash = 0;  // NameHash(name): keys random decisions
  std::vector<const SiteDescriptor*> sites;  // sorted by file, line
  // True if any call site has this kind.
  bool has_fail_site = false;
  bool has_error_site = false;
};

class SiteRegistry {
 public:
  // The registry of this binary.
  static const SiteRegistry& Get();

  const std::vector<PointInfo>& points() const { return points_; }
  int size() const { return static_cast<int>(points_.size()); }

  // Index of the point called `name`, or -1.
  int32_t Find(absl::string_view name) const;
  const PointInfo& point(int32_t index) const { return points_[index]; }

  // Builds a registry from an explicit list (tests). Only the registry
  // returned by Get() writes indices back into the descriptors.
  explicit SiteRegistry(std::vector<const SiteDescriptor*> sites,
                        bool assign_indices = false);

 private:
  std::vector<PointInfo> points_;
  absl::flat_hash_map<std::string, int32_t> by_name_;
};

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_SITE_REGISTRY_H_
