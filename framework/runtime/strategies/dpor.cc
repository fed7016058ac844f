// Optimal dynamic partial-order reduction (Abdulla, Aronis, Jonsson,
// Sagonas, POPL 2014 / JACM 2017, Algorithm "Optimal-DPOR"): one schedule
// per Mazurkiewicz trace of the step sequence, where two steps conflict as
// their footprints say (strategy.h).
//
// Stateless: every iteration re-runs the scenario. The stack keeps, per
// step of the current schedule, the state's runnable tasks and their
// footprints, its sleep set and its node of the wakeup tree (the leftmost
// child is the step taken now). An iteration replays the stack's prefix,
// then follows the wakeup tree, then extends freely. At its end:
//   1. race detection: happens-before by vector clocks over the schedule;
//      scanning back from each step over the steps that conflict with it,
//      a step not yet ordered before it by the clock accumulated so far is
//      an immediate race;
//   2. for each reversible race (e, e'): v = the steps between e and e'
//      that do not happen after e, then e'; unless a task sleeping at e's
//      state is a weak initial of v (v would repeat an explored trace),
//      v is inserted into the wakeup tree at e's state;
//   3. backtrack: the deepest state with an unexplored wakeup branch takes
//      it; the explored step goes to that state's sleep set.
//
// Blocking: under IterationConfig::dpor a lock is runnable only while free,
// so a task waiting for a lock is never chosen. Happens-before includes
// enabling: a step comes after the step that made its task runnable again
// (a wake, an unlock, a change a spinner waited for), and a blocking
// acquire comes after the unlock that freed its lock. The race that matters
// for it, (q's acquire, p's acquire), is reversed explicitly. A trylock is
// never disabled, so it gets no such edge: it races with the unlock like a
// read-modify-write of the lock word. A Lock() still waiting when the run
// ends (deadlock; Strategy::LockedOut) is reversed with the acquire that
// holds its lock. So every inserted sequence can run at its state; a branch
// that still names a task which cannot run there is dropped and counted as
// infeasible (Summary()). A step whose footprint depends on the state (a
// trylock, an RCU section step) enters the wakeup tree as all it may touch
// where the reversal moves it (MayFootprint).
//
// Free extension order. Any choice there is sound (the races of the run
// decide what else is explored); it decides which representative of each
// class runs, and so how deep in the depth-first walk a class lies. After
// a sequence inserted for a race (e, e'), unbounded, the task of e runs
// next if it can: the reversed pair then stays adjacent (e' right before
// e) the way a single preemption would place it, instead of the task of e'
// running on and a further reversal being needed to bring e back. Else the
// current task goes on; when it cannot, DporOptions::first_tasks, then the
// lowest ordinal. A bounded search keeps its old order (current task, then
// the lowest ordinal): the bound is counted on the representative the tree
// holds, and both changes lowered how many classes bounds 2 and 3 reach
// (returning to e's task is one more preemption for every race below it).
//
// Preemption bound (optional, approximate): a wakeup sequence whose prefix
// plus sequence needs more than `bound` task switches away from a runnable
// task is not inserted; each such cut is counted, so a bounded search says
// whether the bound removed anything.
//
// Splitting across shards (shard_split.h). The wakeup tree
// grows from races found anywhere below a state, so which branches a state
// gets is not known until its whole subtree has run: a shard cannot skip
// another's subtree and still know its own. A split search therefore
// changes the top of the tree: at every state above the subtree roots (the
// "prefix states") it branches on every runnable task that is not asleep,
// in ascending order, each explored branch sleeping in the later ones, as
// a sleep-set search does. Those states need no wakeup sequences (every
// class goes through the branch of its earliest weak initial there), so a
// race whose first step lies in the prefix inserts nothing, and below a
// root optimal DPOR runs from the root's sleep set alone (whose sleepers
// make a wakeup sequence redundant only when it starts with their step:
// Redundant). Sleep sets are
// computed from the prefix itself, so every shard builds the same roots
// and no class is explored by two shards; the cost is that a branch whose
// classes all start with an earlier sibling ends in sleep-set-blocked runs
// (counted in Summary()). The split tree is always the unbounded one: a
// bounded search (a round of iterative bounding, or a bounded plan) counts
// the prefix's preemptions toward its bound below each root, and skips a
// root whose prefix alone is past the bound (counted as cut), so a shard's
// share is the same subtrees at every bound and, once a bound cuts nothing
// there, is its share of the unbounded search.
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "framework/check.h"
#include "framework/runtime/strategies/strategy.h"
#include "framework/runtime/strategies/wakeup_tree.h"
#include "framework/runtime/trace/trace.h"

namespace faultline {
namespace {

using internal::WakeupNode;
using internal::WakeupStep;

struct Sleeper {
  uint32_t task = 0;
  Footprint next;
  // Asleep since a prefix state of a split search: its branch is another
  // subtree's, whose races never reach this tree (Redundant).
  bool from_prefix = false;
};

// One step of the current schedule and the state it left from.
struct State {
  std::vector<uint32_t> runnable;  // ascending
  std::vector<Footprint> next;     // parallel to runnable
  uint32_t current = 0;            // runnable current task, else 0
  std::vector<Sleeper> sleep;      // on entry plus explored branches
  WakeupNode* tree = nullptr;      // children: branches at this state
  uint32_t task = 0;               // the step taken now
  Footprint footprint;
  int preemptions_before = 0;
};

bool Contains(const std::vector<uint32_t>& sorted, uint32_t task) {
  return std::binary_search(sorted.begin(), sorted.end(), task);
}

const Footprint* NextOf(const State& state, uint32_t task) {
  auto it =
      std::lower_bound(state.runnable.begin(), state.runnable.end(), task);
  if (it == state.runnable.end() || *it != task) return nullptr;
  return &state.next[it - state.runnable.begin()];
}

// Preemptions on the path to `state` plus one if taking `task` there
// switches away from a current task that could go on.
int PreemptionsTaking(const State& state, uint32_t task) {
  return state.preemptions_before +
         (state.current != 0 && task != state.current ? 1 : 0);
}

bool Asleep(const State& state, uint32_t task) {
  for (const Sleeper& s : state.sleep) {
    if (s.task == task) return true;
  }
  return false;
}

// A step that takes its lock: it ends the holder's hold at the next unlock.
bool IsAcquire(const Footprint& f) {
  return f.op == internal::OpKind::kLock ||
         (f.op == internal::OpKind::kTryLock &&
          f.access == Footprint::Access::kWrite);
}

// Only a blocking acquire is disabled while the lock is held, so only it is
// ordered after the unlock that freed the lock. A trylock runs either way
// (failing while held): it races with the unlock like any read-modify-write
// of the lock word, and reversing that race is how DPOR finds its failure.
bool IsBlockingAcquire(const Footprint& f) {
  return f.op == internal::OpKind::kLock;
}

// What a step whose footprint depends on the state may touch once a race
// reversal moves it before e_i. A trylock may find its lock in the other
// state (a failure becomes a success): two failed trylocks would look
// commutable where both take the lock. A bit set or clear that finds the
// bit already so is a read (fiber_dpor_model.cc) and, moved, may change it.
// An RCU read lock or unlock may come
// while callbacks are queued (the model then makes it global). In the
// wakeup tree such a step counts as all it may be: an over-approximation
// only makes fewer sequences look redundant.
Footprint MayFootprint(Footprint f) {
  using internal::OpKind;
  if ((f.op == OpKind::kTryLock ||
       (f.op == OpKind::kRmw && f.bit != Footprint::kAllBits)) &&
      f.access == Footprint::Access::kRead) {
    f.access = Footprint::Access::kWrite;
  } else if (f.op == OpKind::kRcuUnlock ||
             (f.op == OpKind::kRcuRead &&
              f.access == Footprint::Access::kWrite)) {
    f.access = Footprint::Access::kGlobal;
  }
  return f;
}

// The race scan's working storage (DporStrategy::DetectRaces), kept across
// runs: once it has grown to a schedule's length a scan allocates nothing.
// The scan runs after every schedule and its vectors and maps were most of
// the strategy's cost (half the run time on the seed scenario, a profile
// showed, mostly malloc and free).
struct RaceScratch {
  uint32_t tasks = 0;
  std::vector<uint32_t> clock;    // clock[i * tasks + t]: task t's steps <= i
  std::vector<uint32_t> local;    // 1-based index of step i within its task
  std::vector<int64_t> last;      // each task's latest step so far, or -1
  std::vector<int64_t> released;  // unlock -> the acquire it ends, or -1
  std::vector<uint32_t> acc;      // the clock being built
  // Steps by object (ids are sparse), steps with a global footprint, all.
  absl::flat_hash_map<uint32_t, std::vector<uint32_t>> by_object;
  std::vector<uint32_t> globals;
  std::vector<uint32_t> all;
  std::vector<uint32_t> candidates;
  // Per lock object: the acquire holding it, and its latest unlock.
  absl::flat_hash_map<uint32_t, int64_t> holder;
  absl::flat_hash_map<uint32_t, int64_t> last_unlock;

  void Reset(size_t n, uint32_t task_count) {
    tasks = task_count;
    clock.resize(n * tasks);
    local.assign(n, 0);
    last.assign(tasks, -1);
    released.assign(n, -1);
    // Lists keep their capacity; a program naming ever new objects (ids
    // are per run) must not grow the map without end.
    if (by_object.size() > 4096) by_object.clear();
    for (auto& [object, steps] : by_object) steps.clear();
    globals.clear();
    all.clear();
    holder.clear();
    last_unlock.clear();
  }
  const uint32_t* Row(size_t i) const { return clock.data() + i * tasks; }
  void Index(uint32_t j, const Footprint& f) {
    all.push_back(j);
    if (f.access == Footprint::Access::kGlobal) {
      globals.push_back(j);
    } else if (f.access != Footprint::Access::kNone) {
      by_object[f.object].push_back(j);
    }
  }
  // Earlier steps that may conflict with a step of footprint `f`,
  // ascending, into `candidates`.
  void Candidates(const Footprint& f) {
    candidates.clear();
    if (f.access == Footprint::Access::kNone) return;
    if (f.access == Footprint::Access::kGlobal) {
      candidates = all;
      return;
    }
    auto it = by_object.find(f.object);
    if (it == by_object.end()) {
      candidates = globals;
      return;
    }
    const std::vector<uint32_t>& same = it->second;
    candidates.resize(same.size() + globals.size());
    std::merge(same.begin(), same.end(), globals.begin(), globals.end(),
               candidates.begin());
  }
};

class DporStrategy final : public Strategy {
 public:
  explicit DporStrategy(const DporOptions& options)
      : options_(options), root_(std::make_unique<WakeupNode>()) {}

  bool BeginIteration(uint64_t) override {
    if (complete_ || stopped_) return false;
    if (probing_) {
      if (probe_done_) return false;
      stack_.clear();  // a probe keeps no tree: every run re-enters
      root_ = std::make_unique<WakeupNode>();
    }
    depth_ = 0;
    pruned_ = past_bound_ = false;
    locked_out_.clear();
    divergence_ = absl::OkStatus();
    return true;
  }

  uint32_t Choose(const SchedulingPoint& point) override {
    FL_CHECK(!point.runnable.empty());
    if (pruned_) return DefaultChoice(point);
    if (depth_ < stack_.size()) return Replay(point);
    if (depth_ < Floor()) return EnterPrefix(point);
    if (probing_) return ProbeChoose(point);
    State state = MakeState(point);
    const uint32_t choice = Pick(state);
    if (choice == 0) {
      // Every runnable task sleeps: this run repeats an explored trace.
      // Optimal DPOR never gets here; counted in Summary().
      pruned_ = true;
      return DefaultChoice(point);
    }
    state.task = choice;
    state.footprint = *NextOf(state, choice);
    stack_.push_back(std::move(state));
    ++depth_;
    return choice;
  }

  void LockedOut(absl::Span<const uint32_t> tasks,
                 absl::Span<const Footprint> next) override {
    for (size_t k = 0; k < tasks.size(); ++k) {
      if (next[k].op == internal::OpKind::kLock) {
        locked_out_.push_back({tasks[k], next[k]});
      }
    }
  }

  void EndIteration(const Trace&) override {
    if (probing_) {
      EndProbe();
      return;
    }
    if (past_bound_) {
      ++subtrees_cut_;
      NextSubtree();
      return;
    }
    if (!pruned_ && depth_ < Floor()) {
      SetDivergence(depth_ + 1, "the run ended inside a subtree's prefix");
    }
    if (depth_ < stack_.size()) {
      SetDivergence(depth_ + 1, "the run ended earlier than before");
      stack_.resize(depth_);
    }
    if (pruned_) {
      ++blocked_runs_;
    } else {
      ++schedules_;
    }
    if (divergence_.ok()) DetectRaces();
    if (options_.max_schedules != 0 && schedules_ >= options_.max_schedules) {
      stopped_ = true;
      return;
    }
    Backtrack();
  }

  bool Complete() const override { return complete_; }
  std::string Name() const override {
    return options_.preemption_bound < 0
               ? std::string("dpor(optimal)")
               : absl::StrCat("dpor(optimal, bound=", options_.preemption_bound,
                              ")");
  }
  StrategyKind kind() const override { return StrategyKind::kDpor; }
  bool BoundCut() const override {
    return cut_by_bound_ > 0 || subtrees_cut_ > 0;
  }
  uint64_t Schedules() const override { return schedules_; }
  std::string Summary() const override {
    std::string bound =
        options_.preemption_bound < 0
            ? std::string("unbounded")
            : absl::StrCat(
                  "preemption bound ", options_.preemption_bound,
                  !BoundCut()
                      ? " (cut nothing)"
                      : absl::StrCat(" (cut ", cut_by_bound_,
                                     " wakeup sequences",
                                     subtrees_cut_ == 0
                                         ? ""
                                         : absl::StrCat(" and ", subtrees_cut_,
                                                        " subtrees"),
                                     ")"));
    return absl::StrCat(
        "dpor: ", complete_ ? "complete" : "incomplete", ", ", bound, ": ",
        schedules_, " schedules, ", blocked_runs_, " sleep-set-blocked runs, ",
        infeasible_, " infeasible wakeup sequences",
        split_ ? absl::StrCat(" over ", prefixes_.size(), " subtrees") : "");
  }
  absl::Status Divergence() const override { return divergence_; }

  // The probe lists the subtrees one level below the prefix it starts
  // from (shard_split asks for exactly that depth).
  bool ProbeSubtrees(size_t depth) override {
    if (depth == 0) return false;
    probing_ = true;
    if (!split_) {
      // The root's probe: an empty prefix, which the probe may lengthen.
      split_ = true;
      prefixes_ = {{}};
      next_prefix_ = 0;
    }
    return true;
  }
  std::vector<SubtreeRoot> Subtrees() const override { return subtrees_; }
  bool StartFromPrefixes(std::vector<std::vector<uint32_t>> prefixes) override {
    split_ = true;
    prefixes_ = std::move(prefixes);
    next_prefix_ = 0;
    complete_ = prefixes_.empty();
    return true;
  }

  uint64_t schedules() const { return schedules_; }

 private:
  // The subtree being explored (or probed below); empty for the whole tree.
  const std::vector<uint32_t>& Prefix() const {
    static const std::vector<uint32_t> kWhole;
    return split_ && next_prefix_ < prefixes_.size() ? prefixes_[next_prefix_]
                                                     : kWhole;
  }
  // States below this depth are prefix states: fixed, never backtracked.
  size_t Floor() const { return Prefix().size(); }

  // A prefix state: the split tree branches here on every runnable task
  // that is awake, in ascending order, so the ones before the prefix's
  // choice were explored first and sleep in its subtree.
  uint32_t EnterPrefix(const SchedulingPoint& point) {
    State state = MakeState(point);
    const uint32_t want = Prefix()[depth_];
    if (!Contains(state.runnable, want) || Asleep(state, want)) {
      SetDivergence(point.step, "the subtree's prefix is not in the tree");
      pruned_ = true;
      return DefaultChoice(point);
    }
    for (size_t k = 0; k < state.runnable.size() && state.runnable[k] < want;
         ++k) {
      if (!Asleep(state, state.runnable[k])) {
        state.sleep.push_back({state.runnable[k], state.next[k], true});
      }
    }
    const int bound = options_.preemption_bound;
    if (!probing_ && bound >= 0 && PreemptionsTaking(state, want) > bound) {
      // The subtree needs more preemptions than the bound allows: this
      // run just finishes, and counts as neither schedule nor blocked (the
      // explorer still records it as an iteration).
      spare_.push_back(std::move(state));
      pruned_ = past_bound_ = true;
      return DefaultChoice(point);
    }
    state.task = want;
    state.footprint = *NextOf(state, want);
    auto child = std::make_unique<WakeupNode>();
    child->step = {want, state.footprint};
    state.tree->children.push_back(std::move(child));
    stack_.push_back(std::move(state));
    ++depth_;
    return want;
  }

  // Probe (ProbeSubtrees). The first run lists the probed state's awake
  // tasks; a state with only one is no branch, so it joins the prefix and
  // the first state below it with two or more is listed instead (a tree's
  // top can be a chain of tens of such states, and one run lists them all).
  // Then each child gets one run: the first run optimal DPOR makes in its
  // subtree, whose races size it (EndProbe).
  uint32_t ProbeChoose(const SchedulingPoint& point) {
    if (!probe_in_child_ && depth_ == Floor() && !probe_listed_) {
      State state = MakeState(point);
      for (size_t k = 0; k < state.runnable.size(); ++k) {
        const uint32_t task = state.runnable[k];
        if (!Asleep(state, task)) {
          probe_children_.push_back(task);
          probe_left_.push_back(options_.preemption_bound -
                                PreemptionsTaking(state, task));
        }
      }
      spare_.push_back(std::move(state));
      if (probe_children_.size() == 1) {
        prefixes_[next_prefix_].push_back(probe_children_.front());
        probe_children_.clear();
        probe_left_.clear();
        return EnterPrefix(point);
      }
      probe_listed_ = true;
    }
    if (!probe_in_child_ && depth_ == Floor() &&
        probe_next_ < probe_children_.size()) {
      SubtreeRoot root;
      root.prefix = Prefix();
      root.prefix.push_back(probe_children_[probe_next_]);
      if (options_.preemption_bound >= 0) {
        // Past the bound, the subtree is one skipped run: no work.
        root.preemptions_left = std::max(probe_left_[probe_next_], 0);
        if (probe_left_[probe_next_] < 0) root.size_guess = 0;
      }
      subtrees_.push_back(std::move(root));
      // For this run the child is part of the prefix, as it is for the
      // shard that explores it: its earlier siblings sleep below it and a
      // race at its state inserts nothing.
      prefixes_[next_prefix_].push_back(probe_children_[probe_next_]);
      probe_in_child_ = true;
      return EnterPrefix(point);
    }
    if (!probe_in_child_) {
      // Every task at the listed state is asleep: no subtree below it.
      ++depth_;
      return DefaultChoice(point);
    }
    State state = MakeState(point);
    const uint32_t choice = Pick(state);
    if (choice == 0) {
      pruned_ = true;  // sleep-set blocked: EndProbe sizes it as one run
      return DefaultChoice(point);
    }
    state.task = choice;
    state.footprint = *NextOf(state, choice);
    stack_.push_back(std::move(state));
    ++depth_;
    return choice;
  }

  void EndProbe() {
    if (!divergence_.ok()) {
      probe_done_ = true;  // Divergence() says why
      return;
    }
    if (probe_in_child_) {
      SubtreeRoot& root = subtrees_.back();
      root.leaf = !pruned_ && depth_ == Floor();
      root.steps_below = depth_ - Floor();
      // Under a bound the subtree is sized as a bounded tree is (the ways
      // to place the preemptions left among its steps, shard_split.cc).
      if (options_.preemption_bound < 0) {
        root.size_guess = pruned_ ? 1 : ProbeGuess();
      }
      prefixes_[next_prefix_].pop_back();
      probe_in_child_ = false;
      ++probe_next_;
      probe_done_ = probe_next_ >= probe_children_.size();
      return;
    }
    if (depth_ < Floor()) {
      SetDivergence(depth_ + 1, "the run ended inside a subtree's prefix");
    } else if (depth_ == Floor() && !probe_listed_) {
      // No choice at the probed state: the prefix is one schedule.
      SubtreeRoot leaf;
      leaf.prefix = Prefix();
      leaf.leaf = true;
      subtrees_.push_back(std::move(leaf));
    }
    probe_done_ = true;
  }

  // A child's size from its probe run, Knuth's estimate of a tree's size
  // from one path (Knuth, "Estimating the efficiency of backtrack
  // programs", Math. Comp. 1975) applied to the wakeup tree: the product,
  // over the run's states below the root, of the branches its races gave
  // each state. A race the run shows is a branch the search will take
  // there, and the root's sleep set already holds what its earlier
  // siblings explore, so later siblings come out smaller. Races found only
  // further into the search are missed: a guess, compared with others.
  double ProbeGuess() {
    DetectRaces();
    double log_size = 0;
    for (size_t i = Floor(); i < stack_.size(); ++i) {
      log_size +=
          std::log(static_cast<double>(stack_[i].tree->children.size()));
    }
    return std::exp(std::min(log_size, 500.0));
  }

  uint32_t Replay(const SchedulingPoint& point) {
    State& state = stack_[depth_++];
    const bool same = std::equal(state.runnable.begin(), state.runnable.end(),
                                 point.runnable.begin(), point.runnable.end());
    if (!same) {
      SetDivergence(point.step, "runnable tasks differ from the last run");
      if (!std::binary_search(point.runnable.begin(), point.runnable.end(),
                              state.task)) {
        pruned_ = true;
        return DefaultChoice(point);
      }
    }
    return state.task;
  }

  // A state popped by Backtrack, its vectors emptied but not freed: a run
  // extends the schedule by as many states as the last one popped, so new
  // states need no allocation.
  State Spare() {
    if (spare_.empty()) return State();
    State state = std::move(spare_.back());
    spare_.pop_back();
    state.sleep.clear();
    state.tree = nullptr;
    state.current = state.task = 0;
    state.footprint = Footprint();
    state.preemptions_before = 0;
    return state;
  }

  State MakeState(const SchedulingPoint& point) {
    State state = Spare();
    state.runnable.assign(point.runnable.begin(), point.runnable.end());
    state.next.assign(point.next.begin(), point.next.end());
    if (Contains(state.runnable, point.current)) state.current = point.current;
    if (stack_.empty()) {
      state.tree = root_.get();
      return state;
    }
    const State& parent = stack_.back();
    FL_CHECK(!parent.tree->children.empty());
    state.tree = parent.tree->children.front().get();
    state.preemptions_before = PreemptionsTaking(parent, parent.task);
    for (const Sleeper& s : parent.sleep) {
      if (s.task != parent.task && !Conflicts(s.next, parent.footprint)) {
        state.sleep.push_back(s);
      }
    }
    return state;
  }

  // The wakeup tree's leftmost feasible branch, else a free choice (added
  // to the tree so the tree's leftmost path is the current schedule).
  uint32_t Pick(State& state) {
    auto& children = state.tree->children;
    while (!children.empty()) {
      const uint32_t task = children.front()->step.task;
      if (Contains(state.runnable, task) && !Asleep(state, task)) return task;
      ++infeasible_;
      children.erase(children.begin());
    }
    auto can_run = [&](uint32_t task) {
      return task != 0 && Contains(state.runnable, task) &&
             !Asleep(state, task);
    };
    const bool unbounded = options_.preemption_bound < 0;
    const uint32_t resume = state.tree->resume;  // 0 under a bound
    uint32_t choice = 0;
    if (can_run(resume)) {
      choice = resume;
    } else if (can_run(state.current)) {
      choice = state.current;
    } else {
      if (unbounded) {
        for (uint32_t task : options_.first_tasks) {
          if (can_run(task)) {
            choice = task;
            break;
          }
        }
      }
      for (uint32_t task : state.runnable) {
        if (choice == 0 && can_run(task)) choice = task;
      }
    }
    if (choice == 0) return 0;
    auto child = std::make_unique<WakeupNode>();
    child->step = {choice, *NextOf(state, choice)};
    if (choice != resume) child->resume = resume;  // once it can run
    children.push_back(std::move(child));
    return choice;
  }

  void DetectRaces() {
    const size_t n = stack_.size();
    if (n == 0) return;
    RaceScratch& r = scratch_;
    uint32_t tasks = 0;
    for (const State& s : stack_) tasks = std::max(tasks, s.task);
    ++tasks;
    r.Reset(n, tasks);
    std::vector<uint32_t>& acc = r.acc;
    auto merge = [&](size_t i) {
      const uint32_t* row = r.Row(i);
      for (uint32_t t = 0; t < tasks; ++t) acc[t] = std::max(acc[t], row[t]);
    };
    for (size_t j = 0; j < n; ++j) {
      const State& e = stack_[j];
      const Footprint& f = e.footprint;
      if (r.last[e.task] >= 0) {
        const uint32_t* row = r.Row(static_cast<size_t>(r.last[e.task]));
        acc.assign(row, row + tasks);
      } else {
        acc.assign(tasks, 0);
      }
      r.local[j] = acc[e.task] + 1;
      if (IsBlockingAcquire(f)) {
        // An acquire comes after the unlock that freed the lock: the race
        // that matters is with the acquire that unlock ended (p takes the
        // lock first), never with the unlock (p cannot take a held lock).
        auto u = r.last_unlock.find(f.object);
        if (u != r.last_unlock.end() && stack_[u->second].task != e.task) {
          const int64_t acquire = r.released[u->second];
          if (acquire >= 0 && stack_[acquire].task != e.task &&
              acc[stack_[acquire].task] < r.local[acquire]) {
            Reverse(static_cast<uint32_t>(acquire), static_cast<uint32_t>(j),
                    {e.task, f});
          }
          merge(static_cast<size_t>(u->second));
        }
      }
      // The step that made this task runnable again (a wake, an unlock, a
      // change a spinner waited for) happens before this step: a race with
      // anything before the enabler cannot be reversed at its state.
      const int64_t enabler = Enabler(j, r.last[e.task]);
      if (enabler >= 0) merge(static_cast<size_t>(enabler));
      r.Candidates(f);
      for (auto it = r.candidates.rbegin(); it != r.candidates.rend(); ++it) {
        const uint32_t i = *it;
        const State& d = stack_[i];
        if (d.task == e.task || !Conflicts(d.footprint, f)) continue;
        if (acc[d.task] >= r.local[i]) continue;  // ordered through others
        Reverse(i, static_cast<uint32_t>(j), {e.task, f});
        merge(i);
      }
      acc[e.task] = r.local[j];
      std::copy(acc.begin(), acc.end(), r.clock.begin() + j * tasks);
      r.last[e.task] = static_cast<int64_t>(j);
      r.Index(static_cast<uint32_t>(j), f);
      if (IsAcquire(f)) {
        r.holder[f.object] = static_cast<int64_t>(j);
      } else if (f.op == internal::OpKind::kUnlock) {
        auto it = r.holder.find(f.object);
        if (it != r.holder.end()) {
          r.released[j] = it->second;
          r.holder.erase(it);
        }
        r.last_unlock[f.object] = static_cast<int64_t>(j);
      }
    }
    // A lock attempt still waiting at the end was never a step, but it
    // races with the acquire that holds its lock: taken first, it would
    // have run.
    for (const Sleeper& out : locked_out_) {
      auto h = r.holder.find(out.next.object);
      if (h == r.holder.end()) continue;
      const uint32_t i = static_cast<uint32_t>(h->second);
      const int64_t prev = out.task < tasks ? r.last[out.task] : -1;
      if (stack_[i].task == out.task ||
          (prev >= 0 &&
           r.Row(static_cast<size_t>(prev))[stack_[i].task] >= r.local[i])) {
        continue;
      }
      Reverse(i, static_cast<uint32_t>(n), {out.task, out.next});
    }
  }

  // The latest step after task p's previous step `prev` at whose state p
  // could not run (so that step enabled it), or -1.
  int64_t Enabler(size_t j, int64_t prev) const {
    const uint32_t p = stack_[j].task;
    for (int64_t k = static_cast<int64_t>(j) - 1; k > prev; --k) {
      if (!Contains(stack_[k].runnable, p)) return k;
    }
    return -1;
  }

  // Inserts notdep(e_i).e_j at state i unless a sleeping task covers it;
  // e_j is `last`, the step at j (or, j past the end, a lock attempt the
  // run left waiting).
  void Reverse(uint32_t i, uint32_t j, const WakeupStep& last) {
    if (i < Floor()) return;  // a prefix state branches on every task
    State& at = stack_[i];
    const uint32_t q = at.task;
    const RaceScratch& r = scratch_;
    std::vector<WakeupStep>& v = reverse_steps_;
    std::vector<uint32_t>& from = reverse_positions_;  // v[k]'s step index
    v.clear();
    from.clear();
    for (uint32_t k = i + 1; k < j; ++k) {
      if (r.Row(k)[q] >= r.local[i]) continue;  // happens after e_i
      v.push_back({stack_[k].task, stack_[k].footprint});
      from.push_back(k);
    }
    v.push_back({last.task, MayFootprint(last.footprint)});
    from.push_back(j);
    if (Redundant(at, v)) return;
    if (options_.preemption_bound >= 0 &&
        Preemptions(at, v, from) > options_.preemption_bound) {
      ++cut_by_bound_;
      return;
    }
    Insert(i, v, options_.preemption_bound < 0 ? q : 0);
  }

  // A sleeping task that is a weak initial of v makes v redundant when the
  // sleeper's branch was explored in this tree: optimal DPOR relies on that
  // branch's own races to insert, at the states above, whatever else lies
  // behind v. A sleeper from a split search's prefix cannot: its branch is
  // another subtree, whose races at the prefix states insert nothing. Such
  // a sleeper makes v redundant only when v itself starts with its step
  // (it is in v with nothing in v before it that it conflicts with): then
  // every run through v is one that subtree explores. A sleeper that would
  // merely commute to the front (not in v) proves nothing about the runs
  // in which it sleeps on until a later step wakes it, and those are this
  // subtree's: counting it lost classes below a root (dpor_test,
  // EveryLevelOfTheSplitTreeCoversEveryClassOnce).
  static bool Redundant(const State& state, const std::vector<WakeupStep>& v) {
    for (const Sleeper& s : state.sleep) {
      if (s.from_prefix && !InSequence(s.task, v)) continue;
      if (internal::IsWeakInitial(s.task, s.next, v)) return true;
    }
    return false;
  }

  static bool InSequence(uint32_t task, const std::vector<WakeupStep>& v) {
    for (const WakeupStep& step : v) {
      if (step.task == task) return true;
    }
    return false;
  }

  // internal::InsertWakeup, plus: while the walk follows the current
  // schedule, a state whose sleep set (which holds branches explored there
  // since) has a weak initial of the rest of v already covers it. Without
  // this a branch could start with a sleeping task.
  // `resume`: the task the free extension runs first after v (0: none).
  void Insert(uint32_t i, std::vector<WakeupStep>& v, uint32_t resume) {
    WakeupNode* node = stack_[i].tree;
    size_t depth = i;  // stack_[depth].tree == node while on the schedule
    for (;;) {
      if (v.empty()) return;
      const bool on_path = depth < stack_.size();
      if (on_path && depth != i && Redundant(stack_[depth], v)) return;
      WakeupNode* next = nullptr;
      size_t index = 0;
      for (; index < node->children.size(); ++index) {
        const WakeupStep& c = node->children[index]->step;
        if (internal::IsWeakInitial(c.task, c.footprint, v)) {
          next = node->children[index].get();
          break;
        }
      }
      if (next == nullptr) break;
      if (next->children.empty()) return;
      for (size_t k = 0; k < v.size(); ++k) {
        if (v[k].task == next->step.task) {
          v.erase(v.begin() + static_cast<std::ptrdiff_t>(k));
          break;
        }
      }
      depth = on_path && index == 0 ? depth + 1 : stack_.size();
      node = next;
    }
    internal::AppendChain(node, v)->resume = resume;
  }

  // Preemptions of the prefix up to `at` plus `v`. A switch inside v counts
  // unless the task it leaves could not run right after that step in the
  // schedule v was taken from (it blocked, slept or ended there, and
  // does the same in v, whose steps keep their order). Still an estimate:
  // the steps between them in the schedule may not all be in v.
  int Preemptions(const State& at, const std::vector<WakeupStep>& v,
                  const std::vector<uint32_t>& from) const {
    int count = PreemptionsTaking(at, v.front().task);
    for (size_t k = 1; k < v.size(); ++k) {
      if (v[k].task == v[k - 1].task) continue;
      const size_t after = from[k - 1] + 1;
      if (after < stack_.size() &&
          !Contains(stack_[after].runnable, v[k - 1].task)) {
        continue;
      }
      ++count;
    }
    return count;
  }

  void Backtrack() {
    const size_t floor = Floor();
    while (stack_.size() > floor) {
      State& state = stack_.back();
      auto& children = state.tree->children;
      FL_CHECK(!children.empty());
      state.sleep.push_back({state.task, state.footprint});
      children.erase(children.begin());
      while (!children.empty()) {
        const uint32_t task = children.front()->step.task;
        const Footprint* next = NextOf(state, task);
        if (next != nullptr && !Asleep(state, task)) {
          state.task = task;
          state.footprint = *next;
          return;
        }
        ++infeasible_;
        children.erase(children.begin());
      }
      spare_.push_back(std::move(stack_.back()));
      stack_.pop_back();
    }
    if (!split_) {
      complete_ = true;
      return;
    }
    NextSubtree();
  }

  // This subtree is done: the next starts from a fresh tree.
  void NextSubtree() {
    FL_CHECK(split_);
    for (State& state : stack_) spare_.push_back(std::move(state));
    stack_.clear();
    root_ = std::make_unique<WakeupNode>();
    ++next_prefix_;
    complete_ = next_prefix_ >= prefixes_.size();
  }

  void SetDivergence(uint64_t step, const std::string& why) {
    if (!divergence_.ok()) return;
    divergence_ = absl::InternalError(absl::StrCat(
        "dpor: nondeterministic program at step ", step, ": ", why));
  }

  const DporOptions options_;
  std::unique_ptr<WakeupNode> root_;
  std::vector<State> stack_;
  std::vector<State> spare_;         // popped states, for reuse (Spare)
  std::vector<Sleeper> locked_out_;  // this run's, from LockedOut()
  size_t depth_ = 0;
  bool pruned_ = false;
  bool complete_ = false;
  bool stopped_ = false;
  uint64_t schedules_ = 0;
  uint64_t blocked_runs_ = 0;
  uint64_t infeasible_ = 0;
  uint64_t cut_by_bound_ = 0;
  // Subtrees whose prefix alone is past the bound, and whether this run
  // entered one.
  uint64_t subtrees_cut_ = 0;
  bool past_bound_ = false;
  RaceScratch scratch_;
  std::vector<WakeupStep> reverse_steps_;    // scratch for Reverse
  std::vector<uint32_t> reverse_positions_;  // scratch for Reverse
  absl::Status divergence_;
  // Split walk (StartFromPrefixes): the subtrees to explore, in order.
  bool split_ = false;
  std::vector<std::vector<uint32_t>> prefixes_;
  size_t next_prefix_ = 0;
  // Probe (ProbeSubtrees): the probed state's awake tasks, the next to
  // try, and the subtrees found.
  bool probing_ = false;
  bool probe_listed_ = false;
  bool probe_done_ = false;
  std::vector<uint32_t> probe_children_;
  std::vector<int> probe_left_;  // preemptions left below each, if bounded
  size_t probe_next_ = 0;
  bool probe_in_child_ = false;  // this run goes below probe_children_[next]
  std::vector<SubtreeRoot> subtrees_;
};

}  // namespace

std::unique_ptr<Strategy> NewDporStrategy(const DporOptions& options) {
  return std::make_unique<DporStrategy>(options);
}

}  // namespace faultline
