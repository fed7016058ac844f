// The bridge from the kernel shim's C calls (bridge.h) onto faultline: each
// call is an instrumented operation on the raw kernel word (a scheduling
// point and a trace event) followed by a trace note naming the kernel
// function, the operation as written and its file:line. Locks are faultline
// locks found by address in the current KernelState; freed slab memory is
// poisoned and quarantined, and any operation on it is a violation.
#include "kernel61/bridge/bridge.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "framework/check.h"
#include "framework/fault_point.h"
#include "framework/run_context.h"
#include "framework/runtime/op.h"
#include "framework/runtime/this_task.h"
#include "framework/violation.h"
#include "kernel61/bridge/kernel_state.h"

namespace kernel61 {
namespace {

using faultline::internal::AfterOp;
using faultline::internal::AfterPointerOp;
using faultline::internal::BeforeOp;
using faultline::internal::OpKind;

struct Site {
  const char* func;
  const char* file;
  int line;
};

KernelState& State() {
  KernelState* state = KernelState::Current();
  FL_CHECK(state != nullptr);  // a kernel61 scenario makes one per world
  return *state;
}

const char* Label(const char* label) {
  return label[0] == '&' ? label + 1 : label;
}

void Report(std::string check, std::string message, const Site& site,
            bool fatal) {
  message = absl::StrCat(message, " in ", site.func, "() at ", site.file, ":",
                         site.line);
  faultline::RunContext* run = faultline::CurrentRun();
  if (run == nullptr) {
    std::fprintf(stderr, "kernel61: %s: %s\n", check.c_str(), message.c_str());
    if (fatal) std::abort();
    return;
  }
  faultline::Violation v;
  v.check = std::move(check);
  v.message = std::move(message);
  v.file = site.file;
  v.line = site.line;
  v.fatal = fatal;
  run->ReportViolation(std::move(v));
}

// After the scheduling point, before touching the word: the object may
// have been freed while this task was parked.
void CheckNotFreed(const void* address, const char* op, const char* args,
                   const Site& site) {
  if (State().IsFreed(address)) {
    Report("kernel61.use_after_free",
           absl::StrCat(op, "(", args, ") on freed slab memory"), site, true);
  }
}

void Note(const char* op, const char* args, const std::string& result,
          const Site& site) {
  faultline::this_task::Note(absl::StrCat(site.func, ": ", op, "(", args, ")",
                                          result, " [", site.file, ":",
                                          site.line, "]"));
}

std::string Arrow(int64_t before, int64_t after) {
  return before == after ? absl::StrCat(" = ", before)
                         : absl::StrCat(" ", before, "->", after);
}

}  // namespace
}  // namespace kernel61

// --- The C entry points

using faultline::internal::AfterOp;
using faultline::internal::AfterPointerOp;
using faultline::internal::BeforeOp;
using faultline::internal::OpKind;
using kernel61::Arrow;
using kernel61::CheckNotFreed;
using kernel61::Label;
using kernel61::Note;
using kernel61::Site;
using kernel61::State;

#define K61_HERE_SITE (Site{k61_func, k61_file, k61_line})

extern "C" {

int k61_int_read(const int* word, K61_OP_PARAMS, K61_SITE_PARAMS) {
  const Site site = K61_HERE_SITE;
  BeforeOp(OpKind::kLoad, word, Label(k61_label));
  CheckNotFreed(word, k61_op, k61_args, site);
  int v = __atomic_load_n(word, __ATOMIC_SEQ_CST);
  AfterOp(word, v, v);
  Note(k61_op, k61_args, absl::StrCat(" = ", v), site);
  return v;
}

void k61_int_set(int* word, int value, K61_OP_PARAMS, K61_SITE_PARAMS) {
  const Site site = K61_HERE_SITE;
  BeforeOp(OpKind::kStore, word, Label(k61_label));
  CheckNotFreed(word, k61_op, k61_args, site);
  int old = __atomic_exchange_n(word, value, __ATOMIC_SEQ_CST);
  AfterOp(word, old, value);
  Note(k61_op, k61_args, Arrow(old, value), site);
}

int k61_int_add_return(int* word, int delta, K61_OP_PARAMS, K61_SITE_PARAMS) {
  const Site site = K61_HERE_SITE;
  BeforeOp(OpKind::kRmw, word, Label(k61_label));
  CheckNotFreed(word, k61_op, k61_args, site);
  int old = __atomic_fetch_add(word, delta, __ATOMIC_SEQ_CST);
  AfterOp(word, old, old + delta);
  Note(k61_op, k61_args, Arrow(old, old + delta), site);
  return old + delta;
}

int k61_int_inc_not_zero(int* word, K61_OP_PARAMS, K61_SITE_PARAMS) {
  const Site site = K61_HERE_SITE;
  BeforeOp(OpKind::kRmw, word, Label(k61_label));
  CheckNotFreed(word, k61_op, k61_args, site);
  int old = __atomic_load_n(word, __ATOMIC_SEQ_CST);
  while (old != 0 &&
         !__atomic_compare_exchange_n(word, &old, old + 1, false,
                                      __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
  }
  const int now = old == 0 ? 0 : old + 1;
  AfterOp(word, old, now);
  Note(k61_op, k61_args, Arrow(old, now), site);
  return old != 0;
}

int k61_int_try_cmpxchg(int* word, int* old, int new_value, K61_OP_PARAMS,
                        K61_SITE_PARAMS) {
  const Site site = K61_HERE_SITE;
  BeforeOp(OpKind::kRmw, word, Label(k61_label));
  CheckNotFreed(word, k61_op, k61_args, site);
  const int expected = *old;
  const bool ok = __atomic_compare_exchange_n(
      word, old, new_value, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  AfterOp(word, ok ? expected : *old, ok ? new_value : *old);
  Note(k61_op, k61_args,
       ok ? Arrow(expected, new_value)
          : absl::StrCat(" = ", *old, " (expected ", expected, ")"),
       site);
  return ok;
}

int k61_test_bit(int nr, const volatile unsigned long* word, K61_OP_PARAMS,
                 K61_SITE_PARAMS) {
  const Site site = K61_HERE_SITE;
  const unsigned long* w = const_cast<const unsigned long*>(word);
  BeforeOp(OpKind::kLoad, w, Label(k61_label));
  CheckNotFreed(w, k61_op, k61_args, site);
  unsigned long v = __atomic_load_n(w, __ATOMIC_SEQ_CST);
  AfterOp(w, static_cast<int64_t>(v), static_cast<int64_t>(v));
  const int bit = static_cast<int>((v >> nr) & 1UL);
  Note(k61_op, k61_args, absl::StrCat(" = ", bit), site);
  return bit;
}

int k61_bit_op(int kind, int nr, volatile unsigned long* word, K61_OP_PARAMS,
               K61_SITE_PARAMS) {
  const Site site = K61_HERE_SITE;
  unsigned long* w = const_cast<unsigned long*>(word);
  BeforeOp(OpKind::kRmw, w, Label(k61_label));
  CheckNotFreed(w, k61_op, k61_args, site);
  const unsigned long mask = 1UL << nr;
  const bool set = kind == 0 || kind == 2;
  unsigned long old = set ? __atomic_fetch_or(w, mask, __ATOMIC_SEQ_CST)
                          : __atomic_fetch_and(w, ~mask, __ATOMIC_SEQ_CST);
  unsigned long now = set ? (old | mask) : (old & ~mask);
  AfterOp(w, static_cast<int64_t>(old), static_cast<int64_t>(now));
  const int was = static_cast<int>((old >> nr) & 1UL);
  Note(k61_op, k61_args,
       kind >= 2 ? absl::StrCat(" = ", was) : Arrow(was, set ? 1 : 0), site);
  return was;
}

void* k61_ptr_load(void* const* slot, K61_OP_PARAMS, K61_SITE_PARAMS) {
  const Site site = K61_HERE_SITE;
  BeforeOp(OpKind::kLoad, slot, Label(k61_label));
  CheckNotFreed(slot, k61_op, k61_args, site);
  void* v = __atomic_load_n(slot, __ATOMIC_SEQ_CST);
  AfterPointerOp(slot, v, v);
  return v;
}

void k61_ptr_store(void** slot, void* value, K61_OP_PARAMS, K61_SITE_PARAMS) {
  const Site site = K61_HERE_SITE;
  BeforeOp(OpKind::kStore, slot, Label(k61_label));
  CheckNotFreed(slot, k61_op, k61_args, site);
  void* old = __atomic_exchange_n(slot, value, __ATOMIC_SEQ_CST);
  AfterPointerOp(slot, old, value);
  Note(k61_op, k61_args, value == nullptr ? " = NULL" : "", site);
}

void k61_op_begin(const void* object, int write, K61_OP_PARAMS,
                  K61_SITE_PARAMS) {
  const Site site = K61_HERE_SITE;
  BeforeOp(write ? OpKind::kRmw : OpKind::kLoad, object, Label(k61_label));
  CheckNotFreed(object, k61_op, k61_args, site);
}

void k61_op_end_ptr(const void* object, const void* before, const void* after,
                    K61_OP_PARAMS, K61_SITE_PARAMS) {
  AfterPointerOp(object, before, after);
  Note(k61_op, k61_args, after == nullptr ? " = NULL" : "", K61_HERE_SITE);
}

void k61_spin_init(const void* lock, const char* what, K61_SITE_PARAMS) {
  const Site site = K61_HERE_SITE;
  if (State().SpinLockAt(lock, Label(what))->PeekLocked()) {
    kernel61::Report("kernel61.spin_lock_init_held",
                     absl::StrCat("spin_lock_init(", what, ") of a held lock"),
                     site, true);
  }
}

void k61_spin_lock(const void* lock, const char* what, K61_SITE_PARAMS) {
  const Site site = K61_HERE_SITE;
  State().SpinLockAt(lock, Label(what))->Lock();
  CheckNotFreed(lock, "spin_lock", what, site);
  Note("spin_lock", what, "", site);
}

void k61_spin_unlock(const void* lock, const char* what, K61_SITE_PARAMS) {
  const Site site = K61_HERE_SITE;
  State().SpinLockAt(lock, Label(what))->Unlock();
  Note("spin_unlock", what, "", site);
}

int k61_spin_is_locked(const void* lock) {
  return State().SpinLockAt(lock, "spinlock")->PeekLocked();
}

namespace {

constexpr unsigned long kPageLocked = 1UL;  // PG_locked is bit 0

bool PeekPageLocked(const volatile unsigned long* flags) {
  return __atomic_load_n(const_cast<const unsigned long*>(flags),
                         __ATOMIC_ACQUIRE) &
         kPageLocked;
}

// test_and_set_bit(PG_locked): one instrumented operation on page->flags.
bool TryTakePageLock(unsigned long* w, const char* op, const Site& site) {
  BeforeOp(OpKind::kRmw, w, "page->flags");
  CheckNotFreed(w, op, "page", site);
  unsigned long old = __atomic_fetch_or(w, kPageLocked, __ATOMIC_SEQ_CST);
  AfterOp(w, static_cast<int64_t>(old),
          static_cast<int64_t>(old | kPageLocked));
  return (old & kPageLocked) == 0;
}

}  // namespace

void k61_page_lock(volatile unsigned long* flags, K61_SITE_PARAMS) {
  const Site site = K61_HERE_SITE;
  unsigned long* w = const_cast<unsigned long*>(flags);
  while (!TryTakePageLock(w, "lock_page", site)) {
    // folio_wait_bit_common: sleep until the holder's unlock_page wakes us.
    State().PageWaitAt(w)->WaitUntil([w] { return !PeekPageLocked(w); });
  }
  Note("lock_page", "page", "", site);
}

int k61_page_trylock(volatile unsigned long* flags, K61_SITE_PARAMS) {
  const Site site = K61_HERE_SITE;
  // The seed's hint: a trylock that finds the page locked by someone the
  // scenario does not model (another reader, writeback, migration).
  if (FL_FAULT_FAIL("kernel61.trylock_page")) {
    Note("trylock_page", "page", " = 0 (injected)", site);
    return 0;
  }
  const bool ok =
      TryTakePageLock(const_cast<unsigned long*>(flags), "trylock_page", site);
  Note("trylock_page", "page", absl::StrCat(" = ", ok ? 1 : 0), site);
  return ok;
}

void k61_page_unlock(volatile unsigned long* flags, K61_SITE_PARAMS) {
  const Site site = K61_HERE_SITE;
  unsigned long* w = const_cast<unsigned long*>(flags);
  BeforeOp(OpKind::kRmw, w, "page->flags");
  CheckNotFreed(w, "unlock_page", "page", site);
  unsigned long old = __atomic_fetch_and(w, ~kPageLocked, __ATOMIC_SEQ_CST);
  AfterOp(w, static_cast<int64_t>(old),
          static_cast<int64_t>(old & ~kPageLocked));
  if (!(old & kPageLocked)) {
    kernel61::Report("unlock_page.VM_BUG_ON",
                     "unlock_page of a page that is not locked", site, true);
  }
  Note("unlock_page", "page", "", site);
  State().PageWaitAt(w)->WakeAll();
}

void k61_page_wait_unlocked(volatile unsigned long* flags, K61_SITE_PARAMS) {
  const Site site = K61_HERE_SITE;
  unsigned long* w = const_cast<unsigned long*>(flags);
  // A load of page->flags, then a sleep if PG_locked is set.
  if (k61_test_bit(0, w, "PageLocked", "page", "page->flags", K61_SITE_FWD)) {
    State().PageWaitAt(w)->WaitUntil([w] { return !PeekPageLocked(w); });
  }
  Note("wait_on_page_locked", "page", "", site);
}

int k61_page_is_locked(const volatile unsigned long* flags) {
  return PeekPageLocked(flags);
}

void k61_rcu_read_lock(K61_SITE_PARAMS) {
  State().rcu().ReadLock();
  Note("rcu_read_lock", "", "", K61_HERE_SITE);
}

void k61_rcu_read_unlock(K61_SITE_PARAMS) {
  State().rcu().ReadUnlock();
  Note("rcu_read_unlock", "", "", K61_HERE_SITE);
}

void k61_call_rcu(void* head, void (*func)(void* head), K61_SITE_PARAMS) {
  State().rcu().CallRcu([head, func] { func(head); });
  Note("call_rcu", "head", "", K61_HERE_SITE);
}

void* k61_slab_alloc(const char* cache, size_t size, K61_SITE_PARAMS) {
  return State().Alloc(cache, size);
}

void k61_slab_free(const char* cache, void* object, K61_SITE_PARAMS) {
  const Site site = K61_HERE_SITE;
  std::string error = State().Free(cache, object);
  if (!error.empty()) {
    kernel61::Report("kernel61.bad_free", error, site, true);
    return;
  }
  Note("kmem_cache_free", cache, "", site);
}

void k61_page_free(void* page, K61_SITE_PARAMS) {
  const Site site = K61_HERE_SITE;
  std::string error = State().Free("page", page, /*quarantine=*/false);
  if (!error.empty()) {
    kernel61::Report("kernel61.bad_free", error, site, true);
    return;
  }
  Note("free_page", "page", "", site);
}

int k61_slab_live(const char* cache) { return State().Live(cache); }

int k61_slab_is_freed(const void* object) { return State().IsFreed(object); }

void k61_bio_submit(void* bio, K61_SITE_PARAMS) {
  Note("submit_bio", "bio", "", K61_HERE_SITE);
  State().Submit(bio);
}

void k61_check_failed(const char* kind, const char* condition, int fatal,
                      K61_SITE_PARAMS) {
  const Site site = K61_HERE_SITE;
  std::string message = std::strcmp(kind, "unreachable") == 0
                            ? absl::StrCat("the shim reached ", condition)
                            : absl::StrCat(kind, "(", condition, ")");
  kernel61::Report(absl::StrCat(k61_func, ".", kind), std::move(message), site,
                   fatal != 0);
}

void k61_note(const char* text, K61_SITE_PARAMS) {
  Note(text, "", "", K61_HERE_SITE);
}

}  // extern "C"
