// -----------------------------------------------------------------------------
// File: internal/task_identity.h
// -----------------------------------------------------------------------------
//
// Who is hitting a fault point. Runtime backends own one per task (made by
// RunContext::NewTask) and install it with SetCurrentTask() (run_context.h);
// a thread with none uses the run's implicit task (ordinal 0, name "main").
// Besides the name, it carries the per-task caches the run context's hot
// path reads, which is why it is an engine header: model code never sees it.
//
// Thread-safety: one task's identity is used by that task only.

#ifndef FAULTLINE_FRAMEWORK_INTERNAL_TASK_IDENTITY_H_
#define FAULTLINE_FRAMEWORK_INTERNAL_TASK_IDENTITY_H_

#include <cstdint>
#include <string>
#include <vector>

namespace faultline {

struct TaskIdentity {
  uint32_t ordinal = 0;
  std::string name;
  std::string role;
  std::vector<uint64_t> site_hits;  // per point index: hits by this task

  // Hot-path caches, filled by the RunContext that made this identity
  // (NewTask) from `name` and `role`, which must not change afterwards. A hit
  // by an identity of another run, or one made by hand, takes the uncached
  // path (same decisions, string compares per hit).
  const void* cache_owner = nullptr;
  // Per point: 0 if a hit by this task has nothing to do beyond counting.
  // Otherwise bit 1: look at the point's rules (one of them may act for this
  // task, or a wait_for waits for the point); bit 2: the executor wants site
  // hits; bit 4: only one drawing rule, see point_draw (RunContext::kBusy*).
  std::vector<uint8_t> point_busy;
  // Per rule (in RunContext's hot order): the rule's task filter matches.
  std::vector<uint8_t> rule_task_match;
  // Per rule (in RunContext's hot order), for rules that draw: the key of
  // this task's fire draws for the rule, DrawBits({run seed, point name hash,
  // ordinal, rule ordinal, fire stream}); hit h draws KeyedBits(key, h)
  // (rng.h). 0 for rules that never draw.
  std::vector<uint64_t> fire_key;
  // Per point whose point_busy is kBusyRules | kBusyDrawOnly: the one rule
  // there that can act for this task only draws (no filter this hit could
  // fail, no shared counter, no fire limit), so a hit whose draw does not
  // fire is decided inline: KeyedBits(key, hit) against fire_below, and the
  // rule's `matched` shard (hot_index) counted.
  struct PointDraw {
    uint64_t key = 0;
    uint64_t fire_below = 0;
    uint32_t hot_index = 0;
  };
  std::vector<PointDraw> point_draw;
};

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_INTERNAL_TASK_IDENTITY_H_
