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
  // hits (RunContext::kBusyRules, kBusySiteHits).
  std::vector<uint8_t> point_busy;
  // Per rule (in RunContext's hot order): the rule's task filter matches.
  std::vector<uint8_t> rule_task_match;
  // Per point: the state of a fire draw's key fold after (run seed, point
  // name hash, ordinal), the words that are fixed for this task (rng.h).
  std::vector<uint64_t> draw_prefix;
};

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_INTERNAL_TASK_IDENTITY_H_
