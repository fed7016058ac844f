// account_bad from SCTBench (Thomson, Donaldson, Betts, "Concurrency Testing
// Using Controlled Schedulers: An Empirical Study", ACM TOPC 2016; repository
// mc-imperial/sctbench, benchmarks/concurrent-software-benchmarks, which took
// it from the ESBMC / SV-COMP suites), rewritten as a faultline scenario.
//
// A deposit and a withdrawal update a balance under one mutex; a checker
// asserts, once both are done, a balance that is wrong for the program's
// own constants, so the bug is any schedule where the checker runs last.
// main spawns the checker first and does not join (as the original).
// One difference: in C, main returning ends the process and any thread
// that has not run yet; here the other tasks still run to the end.
// Operands are read into locals one by one so the order of shared accesses
// is the source order, not the compiler's choice.
#include "absl/status/status.h"
#include "framework/check.h"
#include "framework/runtime/atomic.h"
#include "framework/runtime/spin_lock.h"
#include "framework/runtime/world.h"
#include "framework/scenario.h"

namespace sctbench {
namespace {

struct Account {
  faultline::Mutex m{"m"};
  faultline::Atomic<int> x{0, "x"}, y{0, "y"}, z{0, "z"};
  faultline::Atomic<int> balance{0, "balance"};
  faultline::Atomic<int> deposit_done{0, "deposit_done"};
  faultline::Atomic<int> withdraw_done{0, "withdraw_done"};
};

void Deposit(Account* s) {
  s->m.Lock();
  const int balance = s->balance.load();
  s->balance.store(balance + s->y.load());
  s->deposit_done.store(1);
  s->m.Unlock();
}

void Withdraw(Account* s) {
  s->m.Lock();
  const int balance = s->balance.load();
  s->balance.store(balance - s->z.load());
  s->withdraw_done.store(1);
  s->m.Unlock();
}

void CheckResult(Account* s) {
  s->m.Lock();
  if (s->deposit_done.load() && s->withdraw_done.load()) {
    const int balance = s->balance.load();
    const int x = s->x.load();
    const int y = s->y.load();
    const int z = s->z.load();
    FL_BUG_ON(balance != (x - y) - z, "sctbench.account_bad");
  }
  s->m.Unlock();
}

absl::Status Build(faultline::World& world, const faultline::ScenarioArgs&) {
  Account* s = world.Make<Account>();
  world.Spawn("main", [&world, s] {
    s->x.store(1);
    s->y.store(2);
    s->z.store(4);
    s->balance.store(s->x.load());
    world.Spawn("check_result", [s] { CheckResult(s); });
    world.Spawn("deposit", [s] { Deposit(s); });
    world.Spawn("withdraw", [s] { Withdraw(s); });
  });
  return absl::OkStatus();
}

FL_REGISTER_SCENARIO((faultline::ScenarioInfo{
    "sctbench.account_bad",
    "SCTBench account_bad: a balance checker asserts a wrong total once "
    "deposit and withdraw are done",
    {},
    {},
    Build,
}));

}  // namespace
}  // namespace sctbench
