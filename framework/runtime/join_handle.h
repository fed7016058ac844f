// -----------------------------------------------------------------------------
// File: join_handle.h
// -----------------------------------------------------------------------------
//
// A joinable task (pthread_create / pthread_join): JoinHandle::Spawn starts a
// task through World::Spawn, and Join() blocks the caller until that task's
// body has returned. Built on Completion, so under the fiber backend a joiner
// is not runnable until the task exits (a join that can never return is
// reported as a deadlock naming the task), and under the thread backend it
// waits on a condition variable. The completion is an instrumented object,
// so the exit and the join are ordered for the exhaustive reduction.
//
// A task that ends by a violation (its body unwinds) never completes the
// handle; the iteration is over by then, and every joiner unwinds too.
//
// Example:
//   world.Spawn("main", [&world, x] {
//     faultline::JoinHandle child = faultline::JoinHandle::Spawn(
//         world, "child", [x] { x->store(1); });
//     child.Join();
//     FL_BUG_ON(x->load() != 1, "join.ordering");   // never fires
//   });
//
// Thread-safety: Join and PeekDone may be called from any task of the world,
// any number of times. The state lives in the world, so a handle may be
// copied freely and outlive the task.

#ifndef FAULTLINE_FRAMEWORK_RUNTIME_JOIN_HANDLE_H_
#define FAULTLINE_FRAMEWORK_RUNTIME_JOIN_HANDLE_H_

#include <cstdint>
#include <functional>
#include <string>

#include "framework/runtime/world.h"

namespace faultline {

class JoinHandle {
 public:
  // A handle that joins nothing (Join returns at once).
  JoinHandle() = default;

  // Spawns `body` as a task named `name` (see World::Spawn).
  static JoinHandle Spawn(World& world, std::string name,
                          std::function<void()> body, std::string role = "");

  // Blocks until the task's body has returned.
  void Join() const;
  // Uninstrumented: true once the body has returned.
  bool PeekDone() const;
  // The task's ordinal (0 for a default handle).
  uint32_t ordinal() const { return ordinal_; }

 private:
  struct State;
  JoinHandle(State* state, uint32_t ordinal)
      : state_(state), ordinal_(ordinal) {}

  State* state_ = nullptr;  // owned by the world
  uint32_t ordinal_ = 0;
};

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RUNTIME_JOIN_HANDLE_H_
