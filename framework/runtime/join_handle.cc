// JoinHandle: a Completion owned by the world, completed when the task's
// body returns (see join_handle.h).
#include "framework/runtime/join_handle.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "framework/runtime/wait_queue.h"

namespace faultline {

// The label must outlive the completion that points at it, hence declared
// first.
struct JoinHandle::State {
  explicit State(std::string name)
      : label(absl::StrCat("exit:", name)), exited(label.c_str()) {}
  std::string label;
  Completion exited;
};

JoinHandle JoinHandle::Spawn(World& world, std::string name,
                             std::function<void()> body, std::string role) {
  State* state = world.Make<State>(name);
  const uint32_t ordinal = world.Spawn(
      std::move(name),
      [state, body = std::move(body)] {
        body();
        state->exited.Complete();
      },
      std::move(role));
  return JoinHandle(state, ordinal);
}

void JoinHandle::Join() const {
  if (state_ != nullptr) state_->exited.Wait();
}

bool JoinHandle::PeekDone() const {
  return state_ == nullptr || state_->exited.PeekDone();
}

}  // namespace faultline
