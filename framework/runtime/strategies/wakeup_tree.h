// -----------------------------------------------------------------------------
// File: strategies/wakeup_tree.h
// -----------------------------------------------------------------------------
//
// The wakeup tree of optimal DPOR (Abdulla, Aronis, Jonsson, Sagonas,
// "Source Sets: A Foundation for Optimal Dynamic Partial Order Reduction",
// JACM 2017, section 6): an ordered tree of step sequences still to explore
// from one state. A node is one step, named by its task and the footprint
// of the operation the task executes there; children are ordered (the
// leftmost is explored first).
//
// Two sequences are equivalent if they order every pair of conflicting
// steps alike; `WeakInitial` and `Insert` work on footprints only, as the
// paper's definitions do on events:
//   - task p is a weak initial of v after a state where p's next step has
//     footprint f if p's first step in v has no conflicting step before it
//     in v, or p has no step in v and f conflicts with none of v;
//   - Insert(v) walks from the root taking, at each node, the leftmost child
//     whose task is a weak initial of the rest of v (removing that task's
//     first step from v), stops if it reaches a leaf (v is covered), and
//     otherwise adds the rest of v as a new rightmost branch.
//
// Thread-safety: none (one strategy object).

#ifndef FAULTLINE_FRAMEWORK_RUNTIME_STRATEGIES_WAKEUP_TREE_H_
#define FAULTLINE_FRAMEWORK_RUNTIME_STRATEGIES_WAKEUP_TREE_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "framework/runtime/strategies/strategy.h"

namespace faultline {
namespace internal {

// One step of a wakeup sequence: `task` executes an operation with
// `footprint`.
struct WakeupStep {
  uint32_t task = 0;
  Footprint footprint;
};

struct WakeupNode {
  WakeupStep step;  // unused at a root
  // Nonzero on the last node of a sequence inserted for a race reversal:
  // the task whose step the reversal moved after the sequence. Where the
  // tree below is still empty, the free extension runs it first.
  uint32_t resume = 0;
  std::vector<std::unique_ptr<WakeupNode>> children;
};

// True if `task`, whose next step after the current state has footprint
// `next`, is a weak initial of `v`.
inline bool IsWeakInitial(uint32_t task, const Footprint& next,
                          const std::vector<WakeupStep>& v) {
  for (size_t k = 0; k < v.size(); ++k) {
    if (v[k].task == task) {
      for (size_t m = 0; m < k; ++m) {
        if (Conflicts(v[m].footprint, v[k].footprint)) return false;
      }
      return true;
    }
  }
  for (const WakeupStep& step : v) {
    if (Conflicts(step.footprint, next)) return false;
  }
  return true;
}

// Hangs `v` below `node` as a chain of new nodes, one per step; returns
// the chain's last node.
inline WakeupNode* AppendChain(WakeupNode* node,
                               const std::vector<WakeupStep>& v) {
  for (const WakeupStep& step : v) {
    auto child = std::make_unique<WakeupNode>();
    child->step = step;
    WakeupNode* raw = child.get();
    node->children.push_back(std::move(child));
    node = raw;
  }
  return node;
}

// Inserts `v` below `root`. Returns true if the tree changed (false: some
// leaf already covers v).
inline bool InsertWakeup(WakeupNode* root, std::vector<WakeupStep> v) {
  WakeupNode* node = root;
  for (;;) {
    if (v.empty()) return false;
    WakeupNode* next = nullptr;
    for (auto& child : node->children) {
      if (IsWeakInitial(child->step.task, child->step.footprint, v)) {
        next = child.get();
        break;
      }
    }
    if (next == nullptr) break;
    if (next->children.empty()) return false;
    for (size_t k = 0; k < v.size(); ++k) {
      if (v[k].task == next->step.task) {
        v.erase(v.begin() + static_cast<std::ptrdiff_t>(k));
        break;
      }
    }
    node = next;
  }
  AppendChain(node, v);
  return true;
}

}  // namespace internal
}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RUNTIME_STRATEGIES_WAKEUP_TREE_H_
