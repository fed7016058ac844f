// Goal: exhaustive search with state caching (ExhaustiveOptions::
// state_caching over IterationConfig::state_keys) reaches every outcome
// and every violation that running every interleaving reaches, while
// stopping runs where schedules converge.
// Method: small programs whose tasks record what they saw (values read,
// whether a trylock or a wait succeeded) and whose quiescence check files
// the run's outcome: the values seen plus the final shared values. A run
// the cache stops never gets to quiescence, so the outcomes are those of
// runs that went to the end; they must be exactly the brute force's (the
// exhaustive strategy with no reduction and no cache), with sleep sets and
// without, and the bug programs' violations must all be found. Programs
// cover loads and stores, observed and unobserved adds, bit operations,
// trylocks and blocking locks, wait queues, RCU callbacks, spin loops and
// state-dependent control flow (lastzero).
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "framework/check.h"
#include "framework/runtime/atomic.h"
#include "framework/runtime/rcu.h"
#include "framework/runtime/spin_lock.h"
#include "framework/runtime/strategies/strategy.h"
#include "framework/runtime/this_task.h"
#include "framework/runtime/wait_queue.h"
#include "gtest/gtest.h"
#include "tests/runtime/programs.h"

namespace faultline {
namespace {

using testing_programs::FromBuild;

// Per-run record: what each task saw, filed by the quiescence check.
struct Seen {
  std::vector<std::string> by_task;
  std::set<std::string>* outcomes = nullptr;
};

// A program: `build` gets the world, a recorder, and returns the shared
// values to add to the outcome at quiescence.
using Body = std::function<std::function<std::string()>(World&, Seen*)>;

ScenarioInfo Program(int tasks, std::set<std::string>* outcomes, Body body) {
  return FromBuild([tasks, outcomes, body](World& world) {
    auto* seen = world.Make<Seen>();
    seen->by_task.resize(tasks);
    seen->outcomes = outcomes;
    std::function<std::string()> finals = body(world, seen);
    world.AtQuiescence("record", [seen, finals] {
      seen->outcomes->insert(
          absl::StrCat(absl::StrJoin(seen->by_task, "|"), " / ", finals()));
    });
  });
}

struct Result {
  uint64_t runs = 0;
  std::set<std::string> violations;
  std::string summary;
  bool complete = false;
};

Result Search(const ScenarioInfo& scenario, const ExhaustiveOptions& options,
              uint64_t max_runs = 500000) {
  std::unique_ptr<Strategy> strategy = NewExhaustiveStrategy(options);
  IterationConfig config;
  config.strategy = strategy.get();
  config.scenario = &scenario;
  config.dpor = true;
  config.state_keys = options.state_caching;
  config.max_steps = 20000;
  Result out;
  for (uint64_t i = 0; i < max_runs; ++i) {
    IterationResult result = RunIteration(config);
    if (!result.ran) break;
    EXPECT_TRUE(result.strategy_status.ok()) << result.strategy_status;
    EXPECT_EQ(result.cut_short && !result.violations.empty(), false);
    ++out.runs;
    for (const Violation& v : result.violations) out.violations.insert(v.check);
  }
  out.summary = strategy->Summary();
  out.complete = strategy->Complete();
  return out;
}

// The outcomes and violations of a program under the brute force and
// under state caching with and without sleep sets must agree. Returns the
// runs state caching with sleep sets took.
uint64_t ExpectSameOutcomes(
    const std::function<ScenarioInfo(std::set<std::string>*)>& make) {
  std::set<std::string> brute_outcomes;
  ExhaustiveOptions brute_options;
  brute_options.reduction = false;
  const Result brute = Search(make(&brute_outcomes), brute_options);
  EXPECT_TRUE(brute.complete) << brute.summary;
  EXPECT_FALSE(brute_outcomes.empty());
  uint64_t runs = 0;
  for (bool reduction : {true, false}) {
    std::set<std::string> outcomes;
    ExhaustiveOptions options;
    options.reduction = reduction;
    options.state_caching = true;
    const Result cached = Search(make(&outcomes), options);
    EXPECT_TRUE(cached.complete) << cached.summary;
    EXPECT_EQ(outcomes, brute_outcomes)
        << (reduction ? "sleep sets" : "no reduction") << ": "
        << cached.summary;
    EXPECT_EQ(cached.violations, brute.violations) << cached.summary;
    EXPECT_LE(cached.runs, brute.runs) << cached.summary;
    if (reduction) runs = cached.runs;
  }
  return runs;
}

ScenarioInfo LastZero(int n, std::set<std::string>* outcomes) {
  return Program(n + 1, outcomes, [n](World& world, Seen* seen) {
    auto* array = world.Make<std::vector<std::unique_ptr<Atomic<int>>>>();
    for (int i = 0; i <= n; ++i) {
      array->push_back(std::make_unique<Atomic<int>>(0, "array"));
    }
    world.Spawn("scan", [array, n, seen] {
      int i = n;
      while (i > 0 && (*array)[i]->load() != 0) --i;
      seen->by_task[0] = absl::StrCat(i);
    });
    for (int j = 1; j <= n; ++j) {
      world.Spawn(absl::StrCat("t", j), [array, j, seen] {
        const int v = (*array)[j - 1]->load();
        (*array)[j]->store(v + 1);
        seen->by_task[j] = absl::StrCat(v);
      });
    }
    return [array] {
      std::string out;
      for (const auto& a : *array) absl::StrAppend(&out, a->Peek(), ",");
      return out;
    };
  });
}

TEST(StateCaching, LastZeroReachesEveryOutcome) {
  for (int n : {2, 3}) {
    ExpectSameOutcomes(
        [n](std::set<std::string>* o) { return LastZero(n, o); });
  }
}

// Adders add with fetch_add (their results seen) or Inc (unseen); a
// reader reads the counter twice.
ScenarioInfo Counter(int adders, bool observed,
                     std::set<std::string>* outcomes) {
  return Program(
      adders + 1, outcomes, [adders, observed](World& world, Seen* seen) {
        auto* x = world.Make<Atomic<int>>(0, "x");
        for (int i = 0; i < adders; ++i) {
          world.Spawn(absl::StrCat("adder", i), [x, observed, seen, i] {
            if (observed) {
              seen->by_task[i] = absl::StrCat(x->fetch_add(1));
            } else {
              x->Inc();
            }
          });
        }
        world.Spawn("reader", [x, seen, adders] {
          const int a = x->load();
          seen->by_task[adders] = absl::StrCat(a, ",", x->load());
        });
        return [x] { return absl::StrCat(x->Peek()); };
      });
}

TEST(StateCaching, AddsReachEveryOutcome) {
  for (bool observed : {false, true}) {
    ExpectSameOutcomes([observed](std::set<std::string>* o) {
      return Counter(3, observed, o);
    });
  }
}

// `adders` tasks each Inc() a counter `times` times: every order of the
// adds ends in the same state, and so does every order of any subset.
ScenarioInfo Adders(int adders, int times, std::set<std::string>* outcomes) {
  return Program(adders, outcomes, [adders, times](World& world, Seen*) {
    auto* x = world.Make<Atomic<int>>(0, "x");
    for (int i = 0; i < adders; ++i) {
      world.Spawn(absl::StrCat("adder", i), [x, times] {
        for (int k = 0; k < times; ++k) x->Inc();
      });
    }
    return [x] { return absl::StrCat(x->Peek()); };
  });
}

TEST(StateCaching, ConvergingSchedulesAreSearchedOnce) {
  // 4 tasks with 2 adds each: 8!/2^4 = 2,520 interleavings but only 3^4 =
  // 81 states (how far each task is); the cache stops every run at the
  // first state an earlier one reached.
  std::set<std::string> brute_outcomes, outcomes;
  ExhaustiveOptions brute;
  brute.reduction = false;
  ExhaustiveOptions cached = brute;
  cached.state_caching = true;
  const Result all = Search(Adders(4, 2, &brute_outcomes), brute);
  const Result some = Search(Adders(4, 2, &outcomes), cached);
  EXPECT_EQ(all.runs, 2520u);
  EXPECT_LT(some.runs * 10, all.runs) << some.summary;
  // The last state has no choice to make, so it is not cached.
  EXPECT_NE(some.summary.find(" 80 states"), std::string::npos) << some.summary;
  EXPECT_EQ(outcomes, brute_outcomes);
}

// Transfers under a blocking lock and a trylock, with a balance check that
// decides whether to move; an observer reads both accounts without it.
ScenarioInfo Transfers(std::set<std::string>* outcomes) {
  return Program(3, outcomes, [](World& world, Seen* seen) {
    auto* lock = world.Make<SpinLock>("lock");
    auto* a = world.Make<Atomic<int>>(1, "a");
    auto* b = world.Make<Atomic<int>>(0, "b");
    world.Spawn("a_to_b", [lock, a, b, seen] {
      for (int k = 0; k < 2; ++k) {
        SpinLockGuard guard(lock);
        if (a->load() > 0) {
          a->store(a->load() - 1);
          b->store(b->load() + 1);
          absl::StrAppend(&seen->by_task[0], "m");
        }
      }
    });
    world.Spawn("b_to_a", [lock, a, b, seen] {
      if (!lock->TryLock()) {
        seen->by_task[1] = "busy";
        return;
      }
      if (b->load() > 0) {
        b->store(b->load() - 1);
        a->store(a->load() + 1);
        seen->by_task[1] = "moved";
      }
      lock->Unlock();
    });
    world.Spawn("observer", [a, b, seen] {
      const int x = a->load();
      seen->by_task[2] = absl::StrCat(x + b->load());
    });
    return [a, b] { return absl::StrCat(a->Peek(), ",", b->Peek()); };
  });
}

TEST(StateCaching, LocksAndTrylocksReachEveryOutcome) {
  ExpectSameOutcomes(Transfers);
}

// A waiter waits for a completion and reads a value two writers store
// around it; bit operations on one flags word, one of them a trylock.
ScenarioInfo WaitsAndBits(std::set<std::string>* outcomes) {
  return Program(4, outcomes, [](World& world, Seen* seen) {
    auto* done = world.Make<Completion>("done");
    auto* x = world.Make<Atomic<int>>(0, "x");
    auto* flags = world.Make<AtomicFlags>(0, "flags");
    world.Spawn("waiter", [done, x, flags, seen] {
      done->Wait();
      seen->by_task[0] = absl::StrCat(x->load(), flags->test_bit(1));
    });
    world.Spawn("completer", [done, x, flags] {
      x->store(1);
      flags->set_bit(1);
      done->Complete();
    });
    world.Spawn("writer", [x, flags, seen] {
      x->store(2);
      seen->by_task[2] = flags->test_and_set_bit(0) ? "held" : "took";
      flags->clear_bit(1);
    });
    world.Spawn("marker", [flags, seen] {
      seen->by_task[3] = absl::StrCat(flags->test_bit(0));
    });
    return [x, flags] { return absl::StrCat(x->Peek(), ",", flags->Peek()); };
  });
}

TEST(StateCaching, WaitsAndBitOperationsReachEveryOutcome) {
  ExpectSameOutcomes(WaitsAndBits);
}

// Readers in RCU read sections and a writer whose callback frees what a
// reader may still be reading: the outcomes include which reads saw it
// freed, and the callback's timing depends on the sections.
ScenarioInfo RcuFree(std::set<std::string>* outcomes) {
  return Program(3, outcomes, [](World& world, Seen* seen) {
    auto* ptr = world.Make<Atomic<int>>(1, "ptr");
    auto* freed = world.Make<Atomic<int>>(0, "freed");
    // Made last, destroyed first: a run the cache stops may leave the
    // callback queued, and ~Rcu runs it while `freed` still exists.
    auto* rcu = world.Make<Rcu>("rcu");
    for (int i = 0; i < 2; ++i) {
      world.Spawn(absl::StrCat("reader", i), [rcu, ptr, freed, seen, i] {
        RcuReadGuard guard(rcu);
        const int p = ptr->load();
        seen->by_task[i] = absl::StrCat(p, freed->load());
      });
    }
    world.Spawn("writer", [rcu, ptr, freed, seen] {
      ptr->store(2);
      rcu->CallRcu([freed] { freed->store(1); });
      seen->by_task[2] = absl::StrCat(freed->load());
    });
    return [freed] { return absl::StrCat(freed->Peek()); };
  });
}

TEST(StateCaching, RcuCallbacksReachEveryOutcome) {
  ExpectSameOutcomes(RcuFree);
}

// Two tasks take a test-and-set spin lock that yields while it waits.
ScenarioInfo SpinLocked(std::set<std::string>* outcomes) {
  return Program(2, outcomes, [](World& world, Seen* seen) {
    auto* flag = world.Make<Atomic<int>>(0, "flag");
    auto* count = world.Make<Atomic<int>>(0, "count");
    for (int t = 0; t < 2; ++t) {
      world.Spawn(absl::StrCat("t", t), [flag, count, seen, t] {
        int spins = 0;
        while (flag->exchange(1) != 0) {
          ++spins;
          this_task::Yield();
        }
        const int c = count->load();
        count->store(c + 1);
        flag->store(0);
        seen->by_task[t] = absl::StrCat(c, spins > 0 ? "s" : "");
      });
    }
    return [count] { return absl::StrCat(count->Peek()); };
  });
}

TEST(StateCaching, SpinLoopsTerminateWithEveryOutcome) {
  ExpectSameOutcomes(SpinLocked);
}

// Two tasks each spawn a child that stores its parent's mark; which child
// gets which ordinal depends on the order of the spawns, and a reader
// reads the mark.
ScenarioInfo Spawns(std::set<std::string>* outcomes) {
  return Program(3, outcomes, [](World& world, Seen* seen) {
    auto* mark = world.Make<Atomic<int>>(0, "mark");
    for (int p = 0; p < 2; ++p) {
      world.Spawn(absl::StrCat("parent", p), [&world, mark, seen, p] {
        const uint32_t child = world.Spawn(absl::StrCat("child", p),
                                           [mark, p] { mark->store(p + 1); });
        seen->by_task[p] = absl::StrCat(child);
      });
    }
    world.Spawn("reader", [mark, seen] {
      seen->by_task[2] = absl::StrCat(mark->load());
    });
    return [mark] { return absl::StrCat(mark->Peek()); };
  });
}

TEST(StateCaching, SpawnsReachEveryOutcome) { ExpectSameOutcomes(Spawns); }

// A timed wait that may time out before or after a store, and a task
// reading the virtual clock.
ScenarioInfo TimedWait(std::set<std::string>* outcomes) {
  return Program(3, outcomes, [](World& world, Seen* seen) {
    auto* done = world.Make<Completion>("done");
    auto* x = world.Make<Atomic<int>>(0, "x");
    world.Spawn("waiter", [done, x, seen] {
      const bool completed = done->WaitFor(1000);
      seen->by_task[0] = absl::StrCat(completed, x->load());
    });
    world.Spawn("completer", [done, x] {
      x->store(1);
      done->Complete();
    });
    world.Spawn("clock", [x, seen] {
      this_task::SleepFor(absl::Nanoseconds(500));
      seen->by_task[2] = absl::StrCat(x->load(), this_task::NowNs() > 0);
    });
    return [x] { return absl::StrCat(x->Peek()); };
  });
}

TEST(StateCaching, TimedWaitsReachEveryOutcome) {
  ExpectSameOutcomes(TimedWait);
}

TEST(StateCaching, FindsTheBugPrograms) {
  for (const auto& bug : testing_programs::ClassicBugs()) {
    ExhaustiveOptions options;
    options.state_caching = true;
    const Result result = Search(bug.program, options);
    EXPECT_TRUE(result.complete) << bug.name;
    EXPECT_EQ(result.violations.count(bug.check), 1u)
        << bug.name << ": " << result.summary;
  }
}

TEST(StateCaching, AFullCacheStillReachesEveryOutcome) {
  std::set<std::string> brute_outcomes, outcomes;
  ExhaustiveOptions brute;
  brute.reduction = false;
  ExhaustiveOptions small;
  small.state_caching = true;
  small.max_cached_states = 10;
  Search(LastZero(3, &brute_outcomes), brute);
  const Result result = Search(LastZero(3, &outcomes), small);
  EXPECT_TRUE(result.complete);
  EXPECT_EQ(outcomes, brute_outcomes);
  EXPECT_NE(result.summary.find(" 10 states (cache full)"), std::string::npos)
      << result.summary;
}

TEST(StateCaching, SameSearchTwice) {
  std::set<std::string> first_outcomes, second_outcomes;
  ExhaustiveOptions options;
  options.state_caching = true;
  const Result first = Search(Transfers(&first_outcomes), options);
  const Result second = Search(Transfers(&second_outcomes), options);
  EXPECT_EQ(first.runs, second.runs);
  EXPECT_EQ(first.summary, second.summary);
  EXPECT_EQ(first_outcomes, second_outcomes);
}

}  // namespace
}  // namespace faultline
