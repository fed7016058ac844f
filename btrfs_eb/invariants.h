// -----------------------------------------------------------------------------
// File: btrfs_eb/invariants.h
// -----------------------------------------------------------------------------
//
// The model checker's invariants (docs/btrfs_eb.md, "Checks"), as named checks.
// Step checks run after every scheduling step and read state with Peek*() only
// (no instrumented operation, so no scheduling point and no trace event);
// quiescence checks run once every task has finished.
//
// Step checks are incremental: after a step only the ebs, radix slots and
// pages that step changed are checked (World::AtEveryStepTouched names what
// operations wrote; the fs's InvariantIndex maps that back to model objects
// and adds the ebs whose dead/freed bookkeeping changed). A freed eb is
// looked for in every radix slot and page, since anything may still point
// at it. The first check of an iteration, and quiescence, sweep everything;
// FsInfoOptions::sweep_invariants_every_step sweeps at every step. A
// violation is reported at the same step, with the same name, either way:
// an invariant over an object can only break at a step that changes it.
//
// Check names (what plans' expectations refer to):
//   every step:  eb.refs_range, eb.io_pages_range, eb.resurrect,
//                eb.radix_freed, page.private_freed, page.refcount_range,
//                and the protocol's (protocol_invariants.h): eb.ledger,
//                eb.writeback_tree_ref, eb.uptodate, eb.page_private,
//                eb.io_pinned
//   quiescence:  the above, eb.uptodate's page form,
//                eb.quiescent.tree_ref, eb.quiescent.radix,
//                eb.quiescent.leak, eb.quiescent.io, page.quiescent.locked,
//                page.quiescent.private, page.quiescent.refcount
// Checked in the model code itself: btrfs_release_extent_buffer_pages.under_io
// (I-release-idle), eb.use_after_free (I-no-UAF), eb.double_free,
// eb.resurrect (completion's plain increment), eb.write_order, eb.io_pinned
// (opt-in, at submission), page.* refcount/lock misuse.
//
// Example:
//   RegisterInvariants(world, fs_info);
//
// Thread-safety: checks read atomics with relaxed loads; under the thread
// backend a step check sees a possibly torn multi-field state, so step
// checks only test single-field or monotonic properties.

#ifndef FAULTLINE_BTRFS_EB_INVARIANTS_H_
#define FAULTLINE_BTRFS_EB_INVARIANTS_H_

#include "btrfs_eb/fs_info.h"

namespace faultline {

class World;

namespace btrfs_eb {

// Cheap checks, valid at any step, over every eb, radix slot and page.
void CheckStepInvariants(const FsInfo& fs_info);
// The same checks over only what `changes` names (and, for a freed eb in
// it, every radix slot and page that may point at it).
void CheckStepInvariants(const FsInfo& fs_info,
                         const InvariantIndex::Changes& changes);
// Checks that hold only when no task is running and no I/O is pending.
void CheckQuiescentInvariants(const FsInfo& fs_info);
// The step checks (incremental, or a sweep per step if the fs's options
// say so) and, at quiescence, a sweep of them plus the quiescence checks.
void RegisterInvariants(World& world, FsInfo* fs_info);

}  // namespace btrfs_eb
}  // namespace faultline

#endif  // FAULTLINE_BTRFS_EB_INVARIANTS_H_
