// Goal: the optimal DPOR strategy explores exactly one schedule per
// Mazurkiewicz trace of each program, never runs a sleep-set-blocked
// schedule, finds the bug programs' violations, terminates on spin loops,
// and is deterministic.
// Method: small programs whose class counts are known:
//   - readers/writer: 1 writer, N readers of one variable: 2^N classes (each
//     reader reads before or after the write);
//   - lastzero(N) (Abdulla et al., POPL 2014): N+1 variables; task 0 scans
//     down for the last zero, task j writes array[j] = array[j-1] + 1
//     (brute force: N=2 -> 5 classes, N=3 -> 12);
//   - indexer(N) (Flanagan & Godefroid, POPL 2005): N tasks insert 4
//     messages each into a 128-slot hash table with compare-and-swap; the
//     first collisions appear at N = 12. Published counts: 12 -> 8 traces,
//     13 -> 64;
//   - counter(N): N tasks Inc() a counter, one reads it: 2^N classes, since
//     adds whose result is unused commute (N! (N+1) when it is used);
//   - steps whose footprint depends on the state or that never run:
//     trylocks (alone, with Lock(), on two locks), a Lock() left waiting by
//     a deadlock, RCU read sections while a callback is queued.
// Split across N shards (shard_split.h), the shards' classes must be
// pairwise disjoint and together exactly the brute force's, for the splits
// the size guess picks and for every level of the split tree; 100 random
// small programs (RandomProgram) check the whole search and the levels.
// Independently of DPOR, the brute force runs the exhaustive strategy with
// no reduction (every interleaving) and collects each schedule's canonical
// form: every task's sequence of footprints plus the order of every pair of
// conflicting steps of different tasks. DPOR's forms must be exactly that
// set, each seen once.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "framework/check.h"
#include "framework/explore/shard_split.h"
#include "framework/rng.h"
#include "framework/runtime/atomic.h"
#include "framework/runtime/condition_variable.h"
#include "framework/runtime/mutex.h"
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
using testing_programs::HasViolation;

// Wraps a strategy and records the step sequence of each run.
class Recorder final : public Strategy {
 public:
  explicit Recorder(std::unique_ptr<Strategy> inner)
      : inner_(std::move(inner)) {}
  bool BeginIteration(uint64_t seed) override {
    steps_.clear();
    return inner_->BeginIteration(seed);
  }
  uint32_t Choose(const SchedulingPoint& point) override {
    const uint32_t task = inner_->Choose(point);
    for (size_t i = 0; i < point.runnable.size(); ++i) {
      if (point.runnable[i] == task) steps_.push_back({task, point.next[i]});
    }
    return task;
  }
  void LockedOut(absl::Span<const uint32_t> tasks,
                 absl::Span<const Footprint> next) override {
    inner_->LockedOut(tasks, next);
  }
  void EndIteration(const Trace& trace) override {
    forms_.push_back(Canonical());
    const uint64_t before = inner_->Schedules();
    inner_->EndIteration(trace);
    // A sleep-set-blocked run is cut short (its tail is the default
    // choices), so it counts as no schedule.
    counted_.push_back(inner_->Schedules() > before);
  }
  bool Complete() const override { return inner_->Complete(); }
  std::string Name() const override { return inner_->Name(); }
  StrategyKind kind() const override { return inner_->kind(); }
  std::string Summary() const override { return inner_->Summary(); }
  absl::Status Divergence() const override { return inner_->Divergence(); }

  const std::vector<std::string>& forms() const { return forms_; }
  const std::vector<bool>& counted() const { return counted_; }

 private:
  std::string Canonical() const {
    std::map<uint32_t, std::string> per_task;
    std::vector<uint32_t> index(steps_.size());
    std::map<uint32_t, uint32_t> count;
    for (size_t i = 0; i < steps_.size(); ++i) {
      const auto& [task, f] = steps_[i];
      index[i] = count[task]++;
      absl::StrAppend(&per_task[task], static_cast<int>(f.op), ":", f.object,
                      ":", static_cast<int>(f.access), " ");
    }
    std::set<std::string> pairs;
    for (size_t i = 0; i < steps_.size(); ++i) {
      for (size_t j = i + 1; j < steps_.size(); ++j) {
        if (steps_[i].first == steps_[j].first ||
            !Conflicts(steps_[i].second, steps_[j].second)) {
          continue;
        }
        pairs.insert(absl::StrCat(steps_[i].first, ".", index[i], "<",
                                  steps_[j].first, ".", index[j]));
      }
    }
    std::string out;
    for (const auto& [task, seq] : per_task) {
      absl::StrAppend(&out, task, "[", seq, "]");
    }
    for (const std::string& p : pairs) absl::StrAppend(&out, p, ",");
    return out;
  }

  std::unique_ptr<Strategy> inner_;
  std::vector<std::pair<uint32_t, Footprint>> steps_;
  std::vector<std::string> forms_;
  std::vector<bool> counted_;
};

struct Outcome {
  uint64_t runs = 0;
  std::vector<std::string> forms;
  std::vector<bool> counted;  // parallel to forms: not sleep-set blocked
  std::vector<uint64_t> hashes;
  std::set<std::string> violations;
  std::string summary;
  bool complete = false;
};

Outcome Explore(const ScenarioInfo& scenario,
                std::unique_ptr<Strategy> strategy,
                uint64_t max_runs = 200000) {
  Recorder recorder(std::move(strategy));
  Outcome out;
  IterationConfig config;
  config.strategy = &recorder;
  config.scenario = &scenario;
  config.dpor = true;
  config.max_steps = 20000;
  for (uint64_t i = 0; i < max_runs; ++i) {
    config.seed = 0;  // one program: fault decisions stay the same
    IterationResult result = RunIteration(config);
    if (!result.ran) break;
    EXPECT_TRUE(result.strategy_status.ok()) << result.strategy_status;
    ++out.runs;
    out.hashes.push_back(result.trace.hash);
    for (const Violation& v : result.violations) out.violations.insert(v.check);
  }
  out.forms = recorder.forms();
  out.counted = recorder.counted();
  out.summary = recorder.Summary();
  out.complete = recorder.Complete();
  return out;
}

Outcome Dpor(const ScenarioInfo& scenario, const DporOptions& options) {
  return Explore(scenario, NewDporStrategy(options));
}

Outcome Dpor(const ScenarioInfo& scenario, int bound = -1) {
  DporOptions options;
  options.preemption_bound = bound;
  return Dpor(scenario, options);
}

Outcome BruteForce(const ScenarioInfo& scenario) {
  ExhaustiveOptions options;
  options.reduction = false;
  return Explore(scenario, NewExhaustiveStrategy(options));
}

std::set<std::string> Distinct(const std::vector<std::string>& forms) {
  return std::set<std::string>(forms.begin(), forms.end());
}

// DPOR: complete, no blocked run, every run a new class, and exactly the
// classes the brute force finds. Returns the number of classes.
size_t ExpectOptimal(const ScenarioInfo& scenario,
                     const DporOptions& options = {}) {
  Outcome dpor = Dpor(scenario, options);
  Outcome brute = BruteForce(scenario);
  EXPECT_TRUE(dpor.complete) << dpor.summary;
  EXPECT_TRUE(brute.complete) << brute.summary;
  EXPECT_NE(dpor.summary.find(" 0 sleep-set-blocked runs"), std::string::npos)
      << dpor.summary;
  const std::set<std::string> classes = Distinct(dpor.forms);
  EXPECT_EQ(classes.size(), dpor.forms.size()) << "a class explored twice";
  const std::set<std::string> brute_classes = Distinct(brute.forms);
  EXPECT_EQ(classes.size(), brute_classes.size()) << dpor.summary;
  EXPECT_EQ(classes, brute_classes);
  EXPECT_EQ(dpor.runs, classes.size());
  return classes.size();
}

ScenarioInfo ReadersWriter(int readers) {
  return FromBuild([readers](World& world) {
    auto* x = world.Make<Atomic<int>>(0, "x");
    world.Spawn("writer", [x] { x->store(1); });
    for (int i = 0; i < readers; ++i) {
      world.Spawn(absl::StrCat("reader", i), [x] { (void)x->load(); });
    }
  });
}

ScenarioInfo LastZero(int n) {
  return FromBuild([n](World& world) {
    auto* array = world.Make<std::vector<std::unique_ptr<Atomic<int>>>>();
    for (int i = 0; i <= n; ++i) {
      array->push_back(std::make_unique<Atomic<int>>(0, "array"));
    }
    world.Spawn("scan", [array, n] {
      for (int i = n; i > 0 && (*array)[i]->load() != 0; --i) {
      }
    });
    for (int j = 1; j <= n; ++j) {
      world.Spawn(absl::StrCat("t", j), [array, j] {
        (*array)[j]->store((*array)[j - 1]->load() + 1);
      });
    }
  });
}

ScenarioInfo Indexer(int n) {
  return FromBuild([n](World& world) {
    constexpr int kSize = 128;
    auto* table = world.Make<std::vector<std::unique_ptr<Atomic<int>>>>();
    for (int i = 0; i < kSize; ++i) {
      table->push_back(std::make_unique<Atomic<int>>(0, "table"));
    }
    for (int tid = 0; tid < n; ++tid) {
      world.Spawn(absl::StrCat("t", tid), [table, tid] {
        for (int m = 1; m <= 4; ++m) {
          const int w = m * 11 + tid;
          int h = (w * 7) % kSize;
          for (;;) {
            int expected = 0;
            if ((*table)[h]->compare_exchange_strong(expected, w)) break;
            h = (h + 1) % kSize;
          }
        }
      });
    }
  });
}

// Tasks insert into a table with compare-and-swap, each at its own list of
// home slots, probing upwards on collision (indexer in miniature).
ScenarioInfo CasTable(std::vector<std::vector<int>> homes) {
  return FromBuild([homes](World& world) {
    auto* table = world.Make<std::vector<std::unique_ptr<Atomic<int>>>>();
    for (int i = 0; i < 64; ++i) {
      table->push_back(std::make_unique<Atomic<int>>(0, "table"));
    }
    for (size_t t = 0; t < homes.size(); ++t) {
      world.Spawn(absl::StrCat("t", t), [table, slots = homes[t], t] {
        for (int h : slots) {
          for (;;) {
            int expected = 0;
            if ((*table)[h]->compare_exchange_strong(expected, 1 + t)) break;
            h = (h + 1) % 64;
          }
        }
      });
    }
  });
}

// Two tasks take a test-and-set lock that spins with yields, then bump a
// counter non-atomically; `buggy` skips the lock in one task.
ScenarioInfo SpinCounter(bool buggy) {
  return FromBuild([buggy](World& world) {
    auto* flag = world.Make<Atomic<int>>(0, "flag");
    auto* count = world.Make<Atomic<int>>(0, "count");
    for (int t = 0; t < 2; ++t) {
      const bool locks = !(buggy && t == 1);
      world.Spawn(absl::StrCat("t", t), [flag, count, locks] {
        if (locks) {
          while (flag->exchange(1) != 0) this_task::Yield();
        }
        count->store(count->load() + 1);
        if (locks) flag->store(0);
      });
    }
    world.AtQuiescence("spin.lost_update", [count] {
      FL_BUG_ON(count->Peek() != 2, "spin.lost_update");
    });
  });
}

// `adders` tasks add 1 to a counter, one task reads it into *seen.
// `observed`: the adders use fetch_add's result, so their adds conflict.
ScenarioInfo Counter(int adders, bool observed, std::set<int>* seen) {
  return FromBuild([adders, observed, seen](World& world) {
    auto* x = world.Make<Atomic<int>>(0, "x");
    for (int i = 0; i < adders; ++i) {
      world.Spawn(absl::StrCat("adder", i), [x, observed] {
        if (observed) {
          FL_BUG_ON(x->fetch_add(1) < 0, "counter.negative");
        } else {
          x->Inc();
        }
      });
    }
    world.Spawn("reader", [x, seen] { seen->insert(x->load()); });
  });
}

// `trying` tasks each try a lock once and, if they got it, bump a counter
// and unlock; `blocking` tasks take it with a blocking Lock() instead; a
// last task stores to the counter's neighbour, then reads the counter. A
// trylock's footprint depends on the state (held: a read; free: a write),
// so this checks that DPOR still finds every class the brute force does.
ScenarioInfo TryLocks(int trying, int blocking = 0) {
  return FromBuild([trying, blocking](World& world) {
    auto* lock = world.Make<SpinLock>("lock");
    auto* count = world.Make<Atomic<int>>(0, "count");
    auto* other = world.Make<Atomic<int>>(0, "other");
    for (int t = 0; t < trying + blocking; ++t) {
      const bool tries = t < trying;
      world.Spawn(absl::StrCat("t", t), [lock, count, tries] {
        if (tries) {
          if (!lock->TryLock()) return;
        } else {
          lock->Lock();
        }
        count->store(count->load() + 1);
        lock->Unlock();
      });
    }
    world.Spawn("other", [other, count] {
      other->store(1);
      (void)count->load();
    });
  });
}

// Two tasks each try lock a, then (holding it or not) lock b, bumping one
// counter per lock they got.
ScenarioInfo TryLocksOnTwoLocks() {
  return FromBuild([](World& world) {
    auto* a = world.Make<SpinLock>("a");
    auto* b = world.Make<SpinLock>("b");
    auto* count = world.Make<Atomic<int>>(0, "count");
    for (int t = 0; t < 2; ++t) {
      world.Spawn(absl::StrCat("t", t), [a, b, count] {
        for (SpinLock* lock : {a, b}) {
          if (!lock->TryLock()) continue;
          count->store(count->load() + 1);
          lock->Unlock();
        }
      });
    }
  });
}

// t0 takes the lock and exits holding it; t1's Lock() then waits forever
// (a deadlock) unless t1 got the lock first. The attempt left waiting is
// never a step, yet it races with t0's acquire.
ScenarioInfo LockAttemptLeftBlocked() {
  return FromBuild([](World& world) {
    auto* lock = world.Make<SpinLock>("lock");
    auto* x = world.Make<Atomic<int>>(0, "x");
    world.Spawn("t0", [lock, x] {
      x->store(1);
      lock->Lock();  // never released
    });
    world.Spawn("t1", [lock, x] {
      lock->Lock();
      (void)x->load();
      lock->Unlock();
    });
  });
}

// `readers` tasks each read a pointer inside an RCU read section and, if
// it is the old one, read what it points to; a writer replaces the pointer
// and defers the free of the old target with CallRcu. The callback runs at
// the first step after every section open at the CallRcu has closed, so
// which read section ends the grace period depends on the interleaving.
ScenarioInfo RcuReaders(int readers, bool check = true) {
  return FromBuild([readers, check](World& world) {
    auto* rcu = world.Make<Rcu>("rcu");
    auto* ptr = world.Make<Atomic<int>>(1, "ptr");
    auto* freed = world.Make<Atomic<int>>(0, "freed");
    for (int i = 0; i < readers; ++i) {
      world.Spawn(absl::StrCat("reader", i), [rcu, ptr, freed, check] {
        RcuReadGuard guard(rcu);
        if (!check) {
          (void)freed->load();
        } else if (ptr->load() == 1) {
          FL_BUG_ON(freed->load() != 0, "rcu.use_after_free");
        }
      });
    }
    world.Spawn("writer", [rcu, ptr, freed] {
      ptr->store(2);
      rcu->CallRcu([freed] { freed->store(1); });
    });
  });
}

// Two empty read sections, a CallRcu whose callback sets `freed`, and an
// observer reading `freed` outside any section, spawned in `order` (r: a
// reader, w: the writer, o: the observer). Which unlock runs the callback
// depends on whether the second section opened before the first closed.
ScenarioInfo RcuObserved(const std::string& order) {
  return FromBuild([order](World& world) {
    auto* rcu = world.Make<Rcu>("rcu");
    auto* freed = world.Make<Atomic<int>>(0, "freed");
    for (char c : order) {
      if (c == 'r') {
        world.Spawn("reader", [rcu] { RcuReadGuard guard(rcu); });
      } else if (c == 'w') {
        world.Spawn("writer", [rcu, freed] {
          rcu->CallRcu([freed] { freed->store(1); });
        });
      } else {
        world.Spawn("observer", [freed] { (void)freed->load(); });
      }
    }
  });
}

// Bit operations on one flags word, as the btrfs model uses them: `lockers`
// tasks take bit 0 with test_and_set_bit (a page lock's trylock), and if
// they got it set bit 1, read bit 2 and clear bit 0; a marker sets bit 1
// (often already set: a step that changes nothing) and clears bit 2 (clear
// to begin with); an observer reads bits 0 and 1. A set or clear that
// finds its bit already so is a read, so such steps commute with each
// other; the classes must still be exactly the brute force's.
ScenarioInfo FlagBits(int lockers) {
  return FromBuild([lockers](World& world) {
    auto* flags = world.Make<AtomicFlags>(0, "flags");
    for (int i = 0; i < lockers; ++i) {
      world.Spawn(absl::StrCat("locker", i), [flags] {
        if (flags->test_and_set_bit(0)) return;
        flags->set_bit(1);
        (void)flags->test_bit(2);
        flags->clear_bit(0);
      });
    }
    world.Spawn("marker", [flags] {
      flags->set_bit(1);
      flags->clear_bit(2);
    });
    world.Spawn("observer", [flags] {
      (void)flags->test_bit(0);
      (void)flags->test_bit(1);
    });
  });
}

// Two tasks increment a counter under a blocking lock, twice each.
ScenarioInfo LockedCounter() {
  return FromBuild([](World& world) {
    auto* lock = world.Make<SpinLock>("lock");
    auto* count = world.Make<Atomic<int>>(0, "count");
    for (int t = 0; t < 2; ++t) {
      world.Spawn(absl::StrCat("t", t), [lock, count] {
        for (int k = 0; k < 2; ++k) {
          SpinLockGuard guard(lock);
          count->store(count->load() + 1);
        }
      });
    }
  });
}

TEST(Dpor, ReadersWriterHasTwoToTheNClasses) {
  for (int n : {1, 2, 3, 4}) {
    EXPECT_EQ(ExpectOptimal(ReadersWriter(n)), size_t{1} << n) << "N=" << n;
  }
}

TEST(Dpor, LastZeroMatchesBruteForce) {
  // Brute force (every interleaving) says how many classes there are.
  EXPECT_EQ(ExpectOptimal(LastZero(2)), 5u);
  EXPECT_EQ(ExpectOptimal(LastZero(3)), 12u);
}

TEST(Dpor, IndexerMatchesPublishedCounts) {
  for (int n = 1; n <= 11; ++n) {
    Outcome out = Dpor(Indexer(n));
    EXPECT_TRUE(out.complete) << out.summary;
    EXPECT_EQ(out.runs, 1u) << "N=" << n << " (no collisions)";
  }
  Outcome twelve = Dpor(Indexer(12));
  EXPECT_EQ(twelve.runs, 8u) << twelve.summary;
  EXPECT_EQ(Distinct(twelve.forms).size(), 8u);
  Outcome thirteen = Dpor(Indexer(13));
  EXPECT_EQ(thirteen.runs, 64u) << thirteen.summary;
  EXPECT_EQ(Distinct(thirteen.forms).size(), 64u);
  EXPECT_NE(thirteen.summary.find(" 0 sleep-set-blocked"), std::string::npos);
}

TEST(Dpor, IndependentCollisionsMatchBruteForce) {
  EXPECT_EQ(ExpectOptimal(CasTable({{10, 20}, {10, 20}})), 4u);
  EXPECT_EQ(ExpectOptimal(CasTable({{10, 20}, {10, 20}, {30}, {30}})), 8u);
  EXPECT_EQ(ExpectOptimal(CasTable({{1, 10, 20}, {10, 20, 2}})), 4u);
}

TEST(Dpor, UnobservedAddsCommute) {
  // Inc()s commute with each other, not with the read: the reader sees any
  // subset of them, 2^N classes. With fetch_add's result used, the adds
  // conflict too: N! orders times N+1 places of the read.
  std::set<int> dpor_seen;
  std::set<int> brute_seen;
  EXPECT_EQ(ExpectOptimal(Counter(3, false, &dpor_seen)), 8u);
  EXPECT_EQ(ExpectOptimal(Counter(3, true, &dpor_seen)), 24u);
  // Every value the brute force's reader sees, some DPOR run sees.
  (void)BruteForce(Counter(3, false, &brute_seen));
  dpor_seen.clear();
  (void)Dpor(Counter(3, false, &dpor_seen));
  EXPECT_EQ(dpor_seen, brute_seen);
  EXPECT_EQ(dpor_seen, (std::set<int>{0, 1, 2, 3}));
}

// A trylock races with the other operations on its lock like a
// read-modify-write of the lock word (failing: a read of a held lock).
TEST(Dpor, TryLocksMatchBruteForce) {
  EXPECT_EQ(ExpectOptimal(TryLocks(2)), 10u);
  EXPECT_EQ(ExpectOptimal(TryLocks(3)), 66u);
  EXPECT_EQ(ExpectOptimal(TryLocks(1, 1)), 8u);
  EXPECT_EQ(ExpectOptimal(TryLocks(2, 1)), 50u);
  EXPECT_EQ(ExpectOptimal(TryLocksOnTwoLocks()), 40u);
}

// The run that ends in deadlock leaves t1's Lock() unexecuted; DPOR must
// still try t1 first (the strategy learns of it through LockedOut()).
TEST(Dpor, LockAttemptLeftBlockedMatchesBruteForce) {
  EXPECT_EQ(ExpectOptimal(LockAttemptLeftBlocked()), 3u);
}

// While a callback is queued, RCU read locks and unlocks are global steps
// (which unlock runs the callback depends on their order). Before that
// rule the observer programs had 74-85 DPOR classes against 88 (the
// spawn order decides which schedule DPOR starts from).
TEST(Dpor, RcuReadersMatchBruteForce) {
  EXPECT_EQ(ExpectOptimal(RcuReaders(2)), 220u);
  for (const char* order : {"rwro", "rrwo", "wrro", "orwr", "rorw", "rwor"}) {
    EXPECT_EQ(ExpectOptimal(RcuObserved(order)), 88u) << order;
  }
}

// A waiter sleeps on a queue until a flag is set; the setter sets it and
// wakes the queue; an observer reads what both touch.
ScenarioInfo WaitForFlag(int waiters, bool observer) {
  return FromBuild([waiters, observer](World& world) {
    auto* queue = world.Make<WaitQueue>("queue");
    auto* flag = world.Make<Atomic<int>>(0, "flag");
    auto* x = world.Make<Atomic<int>>(0, "x");
    for (int w = 0; w < waiters; ++w) {
      world.Spawn(absl::StrCat("waiter", w), [queue, flag, x] {
        queue->WaitUntil([flag] { return flag->load() == 1; });
        x->store(x->load() + 1);
      });
    }
    world.Spawn("setter", [queue, flag] {
      flag->store(1);
      queue->WakeAll();
    });
    if (observer) {
      world.Spawn("observer", [flag, x] {
        (void)x->load();
        (void)flag->load();
      });
    }
  });
}

// A wait's condition reads state no footprint names, so the wait step is
// global (docs/runtime.md).
// A bit set or clear that finds the bit already so changes nothing and is
// a read; a reversal may move it to where it changes the bit, so the
// wakeup tree counts it as a write (MayFootprint), as for a trylock.
TEST(Dpor, UnchangingBitOperationsMatchBruteForce) {
  EXPECT_EQ(ExpectOptimal(FlagBits(1)), 10u);
  EXPECT_EQ(ExpectOptimal(FlagBits(2)), 48u);
}

TEST(Dpor, WaitQueuesMatchBruteForce) {
  EXPECT_EQ(ExpectOptimal(WaitForFlag(1, false)), 4u);
  EXPECT_EQ(ExpectOptimal(WaitForFlag(1, true)), 25u);
  EXPECT_EQ(ExpectOptimal(WaitForFlag(2, false)), 368u);
}

// A global step (a wait whose condition already holds) and a delay, which
// touches nothing, commute: one class. When a global step conflicted with
// every step, the brute force saw two, and DPOR, whose race scan never
// looks back from a step that touches nothing, only one (the delay after
// the wait is never reversed): a lost class.
ScenarioInfo GlobalStepAndDelay() {
  return FromBuild([](World& world) {
    auto* queue = world.Make<WaitQueue>("queue");
    world.Spawn("waiter", [queue] { queue->WaitUntil([] { return true; }); });
    world.Spawn("sleeper", [] { this_task::SleepFor(absl::Microseconds(1)); });
  });
}

TEST(Dpor, StepsThatTouchNothingCommuteWithGlobalOnes) {
  EXPECT_EQ(ExpectOptimal(GlobalStepAndDelay()), 1u);
}

// A CondVar hand-off. When the notifier sets the flag and notifies without
// the mutex, its notify can land between the waiter's check of the flag
// and its wait, and the waiter sleeps for ever, as with
// std::condition_variable. Every search must reach that order: the notify
// counter's read and bump are steps of their own (when the counter was a
// plain atomic read in the same step as the flag, no strategy could).
// With the flag set under the mutex, no order loses the wake-up.
ScenarioInfo CondVarHandoff(bool notifier_locks) {
  return FromBuild([notifier_locks](World& world) {
    auto* mu = world.Make<Mutex>("mu");
    auto* cv = world.Make<CondVar>("cv");
    auto* flag = world.Make<Atomic<int>>(0, "flag");
    world.Spawn("waiter", [mu, cv, flag] {
      std::unique_lock<Mutex> lock(*mu);
      while (flag->load() == 0) cv->wait(lock);
    });
    world.Spawn("notifier", [mu, cv, flag, notifier_locks] {
      if (notifier_locks) {
        std::lock_guard<Mutex> lock(*mu);
        flag->store(1);
      } else {
        flag->store(1);
      }
      cv->notify_one();
    });
  });
}

TEST(Dpor, CondVarLostWakeupIsFound) {
  const ScenarioInfo lost = CondVarHandoff(/*notifier_locks=*/false);
  EXPECT_EQ(Dpor(lost).violations, std::set<std::string>{"deadlock"});
  EXPECT_EQ(BruteForce(lost).violations, std::set<std::string>{"deadlock"});
  ExpectOptimal(lost);
  const ScenarioInfo safe = CondVarHandoff(/*notifier_locks=*/true);
  EXPECT_TRUE(Dpor(safe).violations.empty());
  EXPECT_TRUE(BruteForce(safe).violations.empty());
  ExpectOptimal(safe);
}

TEST(Dpor, BlockingLocksMatchBruteForce) {
  // Critical sections in either order, per round: (2 choose 1) orders of the
  // four sections keeping each task's own order: C(4, 2) = 6.
  EXPECT_EQ(ExpectOptimal(LockedCounter()), 6u);
}

TEST(Dpor, FindsTheBugPrograms) {
  EXPECT_TRUE(
      Dpor(testing_programs::LostUpdate()).violations.count("lost_update"));
  EXPECT_TRUE(Dpor(testing_programs::RefcountDrop(false))
                  .violations.count("refcount.use_after_free"));
  Outcome fixed = Dpor(testing_programs::RefcountDrop(true));
  EXPECT_TRUE(fixed.complete);
  EXPECT_TRUE(fixed.violations.empty());
  EXPECT_TRUE(
      Dpor(testing_programs::LockOrderDeadlock()).violations.count("deadlock"));
}

TEST(Dpor, SpinLoopsWithYieldsTerminate) {
  Outcome fixed = Dpor(SpinCounter(false));
  EXPECT_TRUE(fixed.complete) << fixed.summary;
  EXPECT_TRUE(fixed.violations.empty()) << *fixed.violations.begin();
  EXPECT_NE(fixed.summary.find(" 0 sleep-set-blocked"), std::string::npos)
      << fixed.summary;
  Outcome buggy = Dpor(SpinCounter(true));
  EXPECT_TRUE(buggy.violations.count("spin.lost_update"));
}

// The free extension's order (DporOptions::first_tasks; after a reversal,
// the task whose step it moved) decides which representative of a class
// runs and when, never which classes run: every order gives exactly the
// brute force's classes, each once. Task ordinals start at 1.
TEST(Dpor, FreeExtensionOrderKeepsTheClasses) {
  const std::vector<std::vector<uint32_t>> orders = {
      {}, {2}, {3, 2, 1}, {4, 1, 3}};
  for (const std::vector<uint32_t>& first : orders) {
    DporOptions options;
    options.first_tasks = first;
    const std::string name = absl::StrJoin(first, ",");
    EXPECT_EQ(ExpectOptimal(ReadersWriter(3), options), 8u) << name;
    EXPECT_EQ(ExpectOptimal(LastZero(3), options), 12u) << name;
    EXPECT_EQ(ExpectOptimal(TryLocks(2, 1), options), 50u) << name;
    EXPECT_EQ(ExpectOptimal(LockedCounter(), options), 6u) << name;
    EXPECT_EQ(ExpectOptimal(LockAttemptLeftBlocked(), options), 3u) << name;
    EXPECT_EQ(ExpectOptimal(RcuObserved("rwro"), options), 88u) << name;
    EXPECT_EQ(ExpectOptimal(CasTable({{10, 20}, {10, 20}, {30}}), options), 4u)
        << name;
  }
}

// first_tasks does change the order: the first run starts with the named
// task instead of the lowest ordinal.
TEST(Dpor, FirstTasksRunFirst) {
  DporOptions options;
  options.first_tasks = {3};
  Outcome named = Dpor(LastZero(3), options);
  Outcome plain = Dpor(LastZero(3));
  ASSERT_FALSE(named.hashes.empty());
  EXPECT_NE(named.hashes.front(), plain.hashes.front());
  EXPECT_EQ(Distinct(named.forms), Distinct(plain.forms));
}

TEST(Dpor, SameResultTwice) {
  Outcome a = Dpor(LastZero(3));
  Outcome b = Dpor(LastZero(3));
  EXPECT_EQ(a.hashes, b.hashes);
  EXPECT_EQ(a.summary, b.summary);
}

TEST(Dpor, BoundSaysWhetherItCut) {
  // Tasks of several steps each: bound 0 must cut some orders.
  Outcome unbounded = Dpor(LastZero(3));
  EXPECT_NE(unbounded.summary.find("unbounded"), std::string::npos);
  Outcome zero = Dpor(LastZero(3), 0);
  EXPECT_TRUE(zero.complete);
  EXPECT_LT(zero.runs, unbounded.runs);
  EXPECT_NE(zero.summary.find("preemption bound 0 (cut "), std::string::npos)
      << zero.summary;
}

// Tasks of one step each: switching away from a task that has ended is no
// preemption, so bound 0 already reaches every class (the bound used to
// count every switch in a reversed sequence and cut some of these 8).
TEST(Dpor, SwitchAwayFromAnEndedTaskIsNoPreemption) {
  Outcome unbounded = Dpor(ReadersWriter(3));
  Outcome zero = Dpor(ReadersWriter(3), 0);
  EXPECT_TRUE(zero.complete);
  EXPECT_EQ(zero.runs, unbounded.runs);
  EXPECT_NE(zero.summary.find("preemption bound 0 (cut nothing)"),
            std::string::npos)
      << zero.summary;
}

// One shard of an unbounded DPOR search split `shards` ways.
// Shard `shard` of `shards` of the search `make` builds: split, then its
// subtrees explored.
Outcome ShardOf(const std::function<std::unique_ptr<Strategy>()>& make,
                const ScenarioInfo& scenario, uint32_t shard, uint32_t shards,
                uint64_t* subtrees_total) {
  IterationConfig config;
  config.scenario = &scenario;
  config.dpor = true;
  config.max_steps = 20000;
  absl::StatusOr<ShardSplit> split = SplitSchedules(
      make,
      [&](Strategy* strategy) -> absl::StatusOr<bool> {
        config.strategy = strategy;
        config.seed = 0;
        IterationResult result = RunIteration(config);
        EXPECT_TRUE(result.strategy_status.ok()) << result.strategy_status;
        return result.ran;
      },
      shard, shards);
  EXPECT_TRUE(split.ok()) << split.status();
  if (!split.ok()) return {};
  *subtrees_total = split->subtrees_total;
  std::unique_ptr<Strategy> strategy = make();
  EXPECT_TRUE(strategy->StartFromPrefixes(split->mine));
  return Explore(scenario, std::move(strategy));
}

Outcome DporShard(const ScenarioInfo& scenario, uint32_t shard, uint32_t shards,
                  uint64_t* subtrees_total, int bound = -1) {
  DporOptions options;
  options.preemption_bound = bound;
  return ShardOf([&] { return NewDporStrategy(options); }, scenario, shard,
                 shards, subtrees_total);
}

// The programs the split tests run, with their classes.
std::vector<std::pair<std::string, ScenarioInfo>> SplitPrograms(
    std::set<int>* counter_values) {
  return {
      {"readers/writer 3", ReadersWriter(3)},
      {"lastzero 3", LastZero(3)},
      {"trylocks 2+1", TryLocks(2, 1)},
      {"locked counter", LockedCounter()},
      {"lock left blocked", LockAttemptLeftBlocked()},
      {"rcu rwro", RcuObserved("rwro")},
      {"cas table", CasTable({{10, 20}, {10, 20}, {30}})},
      {"counter observed", Counter(3, true, counter_values)},
  };
}

// The split tree branches on every awake task above its subtrees (dpor.cc):
// every class is still explored, by exactly one shard, once.
TEST(Dpor, SplitShardsCoverEveryClassOnce) {
  std::set<int> counter_values;
  for (const auto& [name, program] : SplitPrograms(&counter_values)) {
    const std::set<std::string> classes = Distinct(BruteForce(program).forms);
    for (uint32_t shards : {1u, 2u, 3u, 5u}) {
      std::set<std::string> seen;
      std::set<std::string> violations;
      uint64_t total = 0;
      for (uint32_t shard = 0; shard < shards; ++shard) {
        uint64_t subtrees = 0;
        Outcome out = DporShard(program, shard, shards, &subtrees);
        EXPECT_TRUE(out.complete) << name << " " << out.summary;
        if (shard == 0) total = subtrees;
        EXPECT_EQ(subtrees, total) << name << ": shards split differently";
        for (size_t k = 0; k < out.forms.size(); ++k) {
          if (!out.counted[k]) continue;
          EXPECT_TRUE(seen.insert(out.forms[k]).second)
              << name << ", " << shards << " shards: a class explored twice";
        }
      }
      EXPECT_EQ(seen, classes) << name << ", " << shards << " shards";
    }
  }
}

TEST(Dpor, SplitShardsFindTheBugs) {
  for (uint32_t shards : {2u, 3u}) {
    std::set<std::string> found;
    for (uint32_t shard = 0; shard < shards; ++shard) {
      uint64_t subtrees = 0;
      for (const std::string& check :
           DporShard(testing_programs::LostUpdate(), shard, shards, &subtrees)
               .violations) {
        found.insert(check);
      }
    }
    EXPECT_TRUE(found.count("lost_update")) << shards << " shards";
  }
}

// A bounded DPOR search splits by the unbounded split tree (dpor.cc): each
// shard is complete within the bound over its subtrees, no class is run by
// two shards, and with a bound that cuts nothing the shards together run
// every class.
TEST(Dpor, BoundedSearchSplits) {
  std::set<int> counter_values;
  for (const auto& [name, program] : SplitPrograms(&counter_values)) {
    const std::set<std::string> classes = Distinct(BruteForce(program).forms);
    bool skipped = false;
    for (int bound : {0, 1, 20}) {
      for (uint32_t shards : {2u, 3u}) {
        std::set<std::string> seen;
        bool cut = false;
        for (uint32_t shard = 0; shard < shards; ++shard) {
          uint64_t subtrees = 0;
          Outcome out = DporShard(program, shard, shards, &subtrees, bound);
          EXPECT_TRUE(out.complete) << name << " " << out.summary;
          cut |= out.summary.find("(cut nothing)") == std::string::npos;
          skipped |= out.summary.find(" subtrees)") != std::string::npos;
          for (size_t k = 0; k < out.forms.size(); ++k) {
            if (!out.counted[k]) continue;
            EXPECT_TRUE(seen.insert(out.forms[k]).second)
                << name << ", bound " << bound << ", " << shards
                << " shards: a class explored twice";
          }
        }
        if (!cut) {
          EXPECT_EQ(seen, classes) << name << ", bound " << bound;
        }
        if (bound == 20) {
          EXPECT_FALSE(cut) << name;
        }
      }
    }
    if (name == "lastzero 3" || name == "trylocks 2+1") {
      EXPECT_TRUE(skipped) << name << ": no root past bound 0 or 1";
    }
  }
}

// The schedules of an iterative bounding summary's last round.
uint64_t LastRoundSchedules(const std::string& summary) {
  const size_t at = summary.find("last round: ");
  if (at == std::string::npos) return 0;
  const size_t end = summary.find(" schedules", at);
  if (end == std::string::npos) return 0;
  size_t begin = end;
  while (begin > at && summary[begin - 1] >= '0' && summary[begin - 1] <= '9') {
    --begin;
  }
  return std::stoull(summary.substr(begin, end - begin));
}

// Iterative bounding split across shards: every shard searches the same
// subtrees (the unbounded search's) at bounds 0, 1, 2, ... until a bound
// cuts nothing there, so the shards end complete and together have run
// every class, over DPOR rounds and over sleep-set rounds alike.
TEST(Dpor, IterativeBoundingSplitsCoverEveryClass) {
  std::set<int> counter_values;
  for (const auto& [name, program] : SplitPrograms(&counter_values)) {
    const std::set<std::string> classes = Distinct(BruteForce(program).forms);
    for (bool dpor : {true, false}) {
      auto make = [dpor]() -> std::unique_ptr<Strategy> {
        return NewIterativeBoundingStrategy(
            [dpor](int bound) -> std::unique_ptr<Strategy> {
              if (dpor) {
                DporOptions options;
                options.preemption_bound = bound;
                return NewDporStrategy(options);
              }
              ExhaustiveOptions options;
              options.preemption_bound = bound;
              options.prefixes_from_unbounded_tree = true;
              return NewExhaustiveStrategy(options);
            },
            /*max_bound=*/-1);
      };
      for (uint32_t shards : {1u, 2u, 3u}) {
        std::set<std::string> seen;
        uint64_t last_rounds = 0;
        for (uint32_t shard = 0; shard < shards; ++shard) {
          uint64_t subtrees = 0;
          Outcome out = ShardOf(make, program, shard, shards, &subtrees);
          EXPECT_TRUE(out.complete) << name << " " << out.summary;
          EXPECT_NE(out.summary.find("cut nothing"), std::string::npos)
              << out.summary;
          last_rounds += LastRoundSchedules(out.summary);
          for (size_t k = 0; k < out.forms.size(); ++k) {
            if (out.counted[k]) seen.insert(out.forms[k]);
          }
        }
        const std::string where = absl::StrCat(
            name, dpor ? ", dpor rounds, " : ", sleep-set rounds, ", shards,
            " shards");
        EXPECT_EQ(seen, classes) << where;
        // The last rounds alone, which no bound cut, hold every class.
        EXPECT_GE(last_rounds, classes.size()) << where;
      }
    }
  }
}

std::unique_ptr<Strategy> NewUnboundedDpor() {
  return NewDporStrategy(DporOptions());
}

// The subtrees one probe below each of `roots` (every one, not the split's
// pick), in walk order; a leaf stays as it is.
std::vector<std::vector<uint32_t>> ProbeLevel(
    const ScenarioInfo& program,
    const std::vector<std::vector<uint32_t>>& roots,
    std::unique_ptr<Strategy> (*make)() = NewUnboundedDpor) {
  std::vector<std::vector<uint32_t>> below;
  for (const std::vector<uint32_t>& root : roots) {
    std::unique_ptr<Strategy> probe = make();
    EXPECT_TRUE(probe->ProbeSubtrees(root.size() + 1));
    if (!root.empty()) {
      EXPECT_TRUE(probe->StartFromPrefixes({root}));
    }
    IterationConfig config;
    config.scenario = &program;
    config.dpor = true;
    config.max_steps = 20000;
    config.strategy = probe.get();
    while (RunIteration(config).ran) {
    }
    EXPECT_TRUE(probe->Divergence().ok()) << probe->Divergence();
    for (const SubtreeRoot& child : probe->Subtrees()) {
      below.push_back(child.prefix);
    }
  }
  return below;
}

std::unique_ptr<Strategy> NewSleepSetSearch() {
  return NewExhaustiveStrategy(ExhaustiveOptions());
}

// Whichever subtrees the size guess picks, the search below them must cover
// every class once: checked for every level of the split tree, where the
// split itself only tries the ones its guess leads to, for DPOR and for the
// sleep-set search (EXHAUSTIVE), whose split tree branches at every state
// and so goes six levels deep to cover as much. A root that leaves a task
// asleep until a later step wakes it lost classes here in DPOR before the
// prefix's sleepers stopped counting as weak initials (dpor.cc, Redundant):
// below TryLocks(2, 1)'s root "t2 locks, t1's trylock fails", 2 of 3.
TEST(Dpor, EveryLevelOfTheSplitTreeCoversEveryClassOnce) {
  struct Search {
    const char* name;
    std::unique_ptr<Strategy> (*make)();
    int levels;
  };
  const Search searches[] = {{"dpor", NewUnboundedDpor, 4},
                             {"sleep sets", NewSleepSetSearch, 6}};
  std::set<int> counter_values;
  for (const auto& [name, program] : SplitPrograms(&counter_values)) {
    const std::set<std::string> classes = Distinct(BruteForce(program).forms);
    for (const Search& search : searches) {
      std::vector<std::vector<uint32_t>> roots = {{}};
      for (int level = 1; level <= search.levels; ++level) {
        roots = ProbeLevel(program, roots, search.make);
        std::unique_ptr<Strategy> strategy = search.make();
        ASSERT_TRUE(strategy->StartFromPrefixes(roots));
        Outcome out = Explore(program, std::move(strategy));
        const std::string where =
            absl::StrCat(name, ", ", search.name, ", level ", level, " (",
                         roots.size(), " subtrees)");
        EXPECT_TRUE(out.complete) << where << " " << out.summary;
        std::set<std::string> seen;
        for (size_t k = 0; k < out.forms.size(); ++k) {
          if (!out.counted[k]) continue;
          EXPECT_TRUE(seen.insert(out.forms[k]).second)
              << where << ": a class explored twice";
        }
        EXPECT_EQ(seen, classes) << where;
      }
    }
  }
}

// A small random program, from `seed`: three tasks of two operations each
// on two atomics, a spin lock and a flags word (load, store, an observed
// add, an unobserved Inc, a trylock that bumps a counter when it gets the
// lock, a locked increment, a bit set or clear). At most two operations
// take the lock, so the brute force stays within its run limit.
ScenarioInfo RandomProgram(uint64_t seed) {
  std::vector<std::vector<uint64_t>> programs(3);
  int locking = 0;
  for (uint64_t t = 0; t < 3; ++t) {
    for (uint64_t k = 0; k < 2; ++k) {
      uint64_t op = DrawBits({seed, t, k});
      if (op % 8 == 4 || op % 8 == 5) {
        if (++locking > 2) op -= 4;
      }
      programs[t].push_back(op);
    }
  }
  return FromBuild([programs](World& world) {
    auto* a = world.Make<Atomic<int>>(0, "a");
    auto* b = world.Make<Atomic<int>>(0, "b");
    auto* lock = world.Make<SpinLock>("lock");
    auto* flags = world.Make<AtomicFlags>(0UL, "flags");
    for (size_t t = 0; t < programs.size(); ++t) {
      const std::vector<uint64_t>& program = programs[t];
      world.Spawn(absl::StrCat("t", t), [a, b, lock, flags, program] {
        for (uint64_t op : program) {
          Atomic<int>* x = (op >> 8) & 1 ? a : b;
          switch (op % 8) {
            case 0:
              (void)x->load();
              break;
            case 1:
              x->store(static_cast<int>((op >> 16) % 2));
              break;
            case 2:
              (void)x->fetch_add(1);
              break;
            case 3:
              x->Inc();
              break;
            case 4:
              if (lock->TryLock()) {
                x->store(x->load() + 1);
                lock->Unlock();
              }
              break;
            case 5:
              lock->Lock();
              x->store(x->load() + 1);
              lock->Unlock();
              break;
            case 6:
              flags->set_bit(static_cast<int>((op >> 16) % 2));
              break;
            default:
              flags->clear_bit(static_cast<int>((op >> 16) % 2));
              break;
          }
        }
      });
    }
  });
}

// DPOR against the brute force on programs nobody chose: the whole search
// and every level of the split tree must reach exactly the brute force's
// classes, each once. Before the prefix-sleeper fix (dpor.cc, Redundant)
// the split levels of 34 of these 100 programs lost classes.
// Four cases of 25 programs each, so that dpor_test's shards share them
// (the 100 take about 10 s unsanitized, 110 s under ASan + UBSan).
class RandomPrograms : public ::testing::TestWithParam<int> {};

TEST_P(RandomPrograms, MatchBruteForceWholeAndSplit) {
  const uint64_t first = 25 * static_cast<uint64_t>(GetParam()) + 1;
  for (uint64_t seed = first; seed < first + 25; ++seed) {
    const ScenarioInfo program = RandomProgram(seed);
    const Outcome brute = BruteForce(program);
    ASSERT_TRUE(brute.complete) << "seed " << seed << " " << brute.summary;
    const std::set<std::string> classes = Distinct(brute.forms);
    Outcome whole = Dpor(program, DporOptions());
    EXPECT_TRUE(whole.complete) << "seed " << seed << " " << whole.summary;
    EXPECT_EQ(Distinct(whole.forms), classes) << "seed " << seed;
    EXPECT_EQ(whole.forms.size(), classes.size())
        << "seed " << seed << ": a class explored twice, or blocked runs";
    std::vector<std::vector<uint32_t>> roots = {{}};
    for (int level = 1; level <= 3; ++level) {
      roots = ProbeLevel(program, roots);
      std::unique_ptr<Strategy> strategy = NewDporStrategy(DporOptions());
      ASSERT_TRUE(strategy->StartFromPrefixes(roots));
      Outcome out = Explore(program, std::move(strategy));
      std::set<std::string> seen;
      for (size_t k = 0; k < out.forms.size(); ++k) {
        if (!out.counted[k]) continue;
        EXPECT_TRUE(seen.insert(out.forms[k]).second)
            << "seed " << seed << ", level " << level << ": explored twice";
      }
      EXPECT_EQ(seen, classes) << "seed " << seed << ", level " << level;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, RandomPrograms, ::testing::Range(0, 4));

}  // namespace
}  // namespace faultline
