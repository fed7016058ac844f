// Reclaim of btree pages (mm/vmscan.c shrink_page_list, reduced to what
// btree pages go through) and the "btrfs_eb.force_reclaim" hook.
#include "btrfs_eb/reclaim.h"

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "btrfs_eb/disk_io.h"
#include "btrfs_eb/fault_sites.h"
#include "btrfs_eb/page.h"
#include "framework/check.h"
#include "framework/fault_point.h"
#include "framework/hooks.h"
#include "framework/run_context.h"
#include "framework/runtime/this_task.h"

namespace faultline {
namespace btrfs_eb {

using this_task::Note;

bool reclaim_btree_page(FsInfo* fs_info, uint64_t index) {
  AddressSpace* mapping = fs_info->btree_mapping();
  Page* page = find_get_page(mapping, index);  // isolate_lru_page
  if (page == nullptr) return false;
  if (!trylock_page(page)) {
    put_page(page);
    return false;
  }
  Note(absl::StrCat("reclaim: locked page ", index));
  FL_FAULT_POINT(kSiteReclaimBeforeReleasepage, index);
  bool evicted = false;
  if (!PageDirty(page) && !PageWriteback(page)) {
    // try_to_release_page -> btree_releasepage, page locked.
    const bool released = !PagePrivate(page) || btree_releasepage(page) != 0;
    evicted = released && remove_mapping(mapping, page);
  }
  unlock_page(page);
  Note(absl::StrCat("reclaim: unlock page ", index,
                    evicted ? " (evicted)" : ""));
  if (evicted) {
    free_evicted_page(page);
  } else {
    put_page(page);
  }
  return evicted;
}

int shrink_btree_pages(FsInfo* fs_info, uint64_t first, uint64_t last) {
  int evicted = 0;
  for (uint64_t index = first; index < last; ++index) {
    if (reclaim_btree_page(fs_info, index)) ++evicted;
  }
  return evicted;
}

absl::StatusOr<PageRange> ParseReclaimArg(const FsInfo& fs_info,
                                          absl::string_view arg, uint64_t key) {
  const uint64_t nr_pages =
      fs_info.options().disk_bytes >> fs_info.options().page_shift;
  PageRange range{0, nr_pages};
  uint64_t index = 0;
  if (arg.empty()) return range;
  if (arg == "key") {
    range = {key, key + 1};
  } else if (arg == "bytenr") {
    const uint64_t first = key >> fs_info.options().page_shift;
    range = {first, first + static_cast<uint64_t>(fs_info.pages_per_node())};
  } else if (absl::SimpleAtoi(arg, &index)) {
    range = {index, index + 1};
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("btrfs_eb.force_reclaim: arg \"", arg,
                     "\" is not \"\", \"key\", \"bytenr\" or a page index"));
  }
  if (range.last > nr_pages) {
    return absl::OutOfRangeError(absl::StrCat("btrfs_eb.force_reclaim: page ",
                                              range.last - 1, " beyond ",
                                              nr_pages, " pages"));
  }
  return range;
}

namespace {

void ForceReclaim(HookCall& call) {
  FsInfo* fs_info = call.run.world<FsInfo>();
  FL_BUG_ON(fs_info == nullptr, "btrfs_eb.force_reclaim.no_world");
  absl::StatusOr<PageRange> range =
      ParseReclaimArg(*fs_info, call.arg, call.key);
  FL_BUG_ON(!range.ok(), "btrfs_eb.force_reclaim.bad_arg");
  Note(absl::StrCat("force_reclaim: pages [", range->first, ", ", range->last,
                    ")"));
  shrink_btree_pages(fs_info, range->first, range->last);
}

}  // namespace

FL_REGISTER_HOOK("btrfs_eb.force_reclaim",
                 "runs btree page reclaim (trylock, btree_releasepage, "
                 "evict) now; arg: \"\" all pages, \"key\" page = site key, "
                 "\"bytenr\" pages of the eb at site key, or a page index",
                 ForceReclaim);

}  // namespace btrfs_eb
}  // namespace faultline
