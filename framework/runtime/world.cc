// World: objects, tasks and checks of one iteration (see world.h).
#include "framework/runtime/world.h"

#include <utility>

#include "framework/check.h"
#include "framework/run_context.h"
#include "framework/runtime/internal/scheduler.h"
#include "framework/runtime/op.h"

namespace faultline {

World::World(RunContext* run) : run_(run) { FL_CHECK(run_ != nullptr); }

World::~World() {
  // Reverse order of Make(): later objects may point at earlier ones.
  std::vector<std::shared_ptr<void>> objects;
  {
    base::MutexLock lock(&mu_);
    objects.swap(objects_);
  }
  while (!objects.empty()) objects.pop_back();
}

uint32_t World::Spawn(std::string name, std::function<void()> body,
                      std::string role) {
  FL_CHECK(body != nullptr);
  internal::Scheduler* sched = internal::CurrentScheduler();
  // Spawning is a step of the spawning task: the strategy may run someone
  // else first, exactly as with a real thread creation.
  internal::BeforeOp(internal::OpKind::kSpawn, this, "spawn");
  uint32_t ordinal;
  {
    base::MutexLock lock(&mu_);
    ordinal = next_ordinal_++;
    spawned_.push_back(
        {ordinal, std::move(name), std::move(role), std::move(body)});
  }
  internal::AfterOp(this, 0, ordinal);
  if (sched != nullptr) sched->OnSpawn(*this);
  FL_CHECK(ordinal >= 1);
  return ordinal;
}

void World::AtEveryStep(std::string name, std::function<void()> check) {
  FL_CHECK(check != nullptr);
  step_checks_.emplace_back(std::move(name), std::move(check));
}

void World::AtQuiescence(std::string name, std::function<void()> check) {
  FL_CHECK(check != nullptr);
  quiescence_checks_.emplace_back(std::move(name), std::move(check));
}

void World::AtEveryStepTouched(std::string name,
                               std::function<void(TouchedObjects)> check) {
  FL_CHECK(check != nullptr);
  touched_checks_.emplace_back(std::move(name), std::move(check));
}

void World::SetStateProbe(std::function<StateSnapshot()> probe) {
  probe_ = std::move(probe);
}

void World::ShowOpsOn(std::function<bool(absl::string_view label)> shown) {
  ops_shown_ = std::move(shown);
}

std::vector<World::TaskSpec> World::TakeSpawned() {
  base::MutexLock lock(&mu_);
  std::vector<TaskSpec> out;
  out.swap(spawned_);
  return out;
}

void World::RunStepChecks() {
  for (auto& [name, check] : step_checks_) check();
  if (touched_checks_.empty()) return;
  touched_in_check_.clear();
  touched_in_check_.swap(touched_);
  for (auto& [name, check] : touched_checks_) check(touched_in_check_);
}

void World::RunQuiescenceChecks() {
  for (auto& [name, check] : quiescence_checks_) check();
}

StateSnapshot World::ProbeState() const {
  if (probe_ == nullptr) return {};
  return probe_();
}

}  // namespace faultline
