// -----------------------------------------------------------------------------
// File: world.h
// -----------------------------------------------------------------------------
//
// A World is everything one iteration of a scenario owns: the objects the
// scenario allocated, the tasks it spawned, and the checks to run at every
// step and at quiescence. The explorer builds a fresh World per iteration
// (through the scenario registry), runs it on a backend, and destroys it,
// freeing every object, even after a violation unwound the tasks.
//
// Tasks may be spawned while building the world and from running tasks (e.g.
// an I/O completion task per submitted bio). Task ordinals follow spawn order,
// which is deterministic under the fiber backend.
//
// Example:
//   absl::Status Build(faultline::World& world, const ScenarioArgs& args) {
//     auto* inode = world.Make<Inode>();
//     world.Spawn("igrab", [inode] { iput(igrab(inode)); });
//     world.Spawn("evict", [inode] { evict(inode); }, "reclaim");
//     world.AtQuiescence("icache.no_leak", [inode] {
//       FL_BUG_ON(inode->count.load() != 0, "icache.no_leak");
//     });
//     return absl::OkStatus();
//   }
//
// Thread-safety: Spawn/Make/Note may be called from any task of the world.

#ifndef FAULTLINE_FRAMEWORK_RUNTIME_WORLD_H_
#define FAULTLINE_FRAMEWORK_RUNTIME_WORLD_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "framework/base/mutex.h"

namespace faultline {

class RunContext;
namespace internal {
class WorldAccess;  // internal/world_access.h: what backends may do
}  // namespace internal

// A snapshot of named model state ("refs" -> "2") attached to trace notes,
// so a rendered trace can show state columns (see World::SetStateProbe).
using StateSnapshot = std::vector<std::pair<std::string, std::string>>;

class World {
 public:
  explicit World(RunContext* run);
  ~World();  // destroys objects in reverse order of Make()
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  // Creates a task. `role` is what plan task filters and reports may use
  // besides the name (e.g. "readahead", "reclaim"). Returns its ordinal.
  uint32_t Spawn(std::string name, std::function<void()> body,
                 std::string role = "");

  // Allocates an object owned by the world.
  template <typename T, typename... Args>
  T* Make(Args&&... args) {
    auto owned = std::make_shared<T>(std::forward<Args>(args)...);
    T* raw = owned.get();
    base::MutexLock lock(&mu_);
    objects_.push_back(std::move(owned));
    return raw;
  }

  // Checks run by the backend after every scheduling step (keep them
  // cheap) and once when every task has finished. They report problems with
  // FL_BUG_ON / FL_WARN_ON.
  void AtEveryStep(std::string name, std::function<void()> check);
  void AtQuiescence(std::string name, std::function<void()> check);

  // A step check that looks only at what changed: `check` gets the objects
  // that instrumented operations other than loads were applied to since the
  // previous step checks ran (the world's build included), in order, with
  // repeats. State changed by plain code is the model's to track. Runs where
  // AtEveryStep checks run (the fiber backend), after them.
  using TouchedObjects = absl::Span<const void* const>;
  void AtEveryStepTouched(std::string name,
                          std::function<void(TouchedObjects)> check);

  // Model state shown next to trace notes (e.g. refs, TREE_REF, io_pages).
  // A rendered table shows it after every step of its rows.
  void SetStateProbe(std::function<StateSnapshot()> probe);

  // Narrows the rendered table: every instrumented operation (load, store,
  // read-modify-write, bit op, lock, unlock, wait, wake) gets a row unless
  // `shown` rejects its object's label. Notes, fault rows and violations
  // are always shown; `shown` returning false for every label leaves only
  // them. Decides nothing a run does: it is applied to the trace after the
  // run.
  void ShowOpsOn(std::function<bool(absl::string_view label)> shown);

  RunContext& run() { return *run_; }

 private:
  friend class internal::WorldAccess;

  struct TaskSpec {
    uint32_t ordinal;
    std::string name;
    std::string role;
    std::function<void()> body;
  };
  // Takes the tasks spawned since the last call, in spawn order.
  std::vector<TaskSpec> TakeSpawned();
  void RunStepChecks();
  void RunQuiescenceChecks();
  StateSnapshot ProbeState() const;
  bool has_step_checks() const {
    return !step_checks_.empty() || !touched_checks_.empty();
  }
  bool wants_touched() const { return !touched_checks_.empty(); }
  void NoteTouched(const void* object) { touched_.push_back(object); }
  bool has_state_probe() const { return probe_ != nullptr; }
  const std::function<bool(absl::string_view)>& ops_shown() const {
    return ops_shown_;
  }

  RunContext* run_;
  // Tasks on real threads spawn and allocate: a base::Mutex (a std::mutex,
  // which TSAN sees; run_context.h says why not absl::Mutex).
  base::Mutex mu_;
  std::vector<std::shared_ptr<void>> objects_ ABSL_GUARDED_BY(mu_);
  std::vector<TaskSpec> spawned_ ABSL_GUARDED_BY(mu_);
  uint32_t next_ordinal_ ABSL_GUARDED_BY(mu_) = 1;
  std::vector<std::pair<std::string, std::function<void()>>> step_checks_;
  std::vector<std::pair<std::string, std::function<void()>>> quiescence_checks_;
  std::vector<std::pair<std::string, std::function<void(TouchedObjects)>>>
      touched_checks_;
  // Objects written since the last step checks, and the buffer they are
  // swapped into while the checks read them (so no step allocates).
  std::vector<const void*> touched_;
  std::vector<const void*> touched_in_check_;
  std::function<StateSnapshot()> probe_;
  std::function<bool(absl::string_view)> ops_shown_;  // nullptr: all
};

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RUNTIME_WORLD_H_
