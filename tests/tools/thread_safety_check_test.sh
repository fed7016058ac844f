#!/usr/bin/env bash
# Goal: tools/thread_safety_check.sh really fails when a lock rule is broken.
# Method: write three small files against framework/base/mutex.h - one that
# keeps the rules, one that writes a guarded field without its lock, one
# whose lock hand-off (a function entered with the lock held that drops it)
# lacks ABSL_UNLOCK_FUNCTION - and check the exit code and the warning each
# time. Needs clang++-14 (tools/setup.sh installs it).
set -euo pipefail
check=$1
dir=${TEST_TMPDIR:-$(mktemp -d)}

header='#include "framework/base/mutex.h"
using faultline::base::Mutex;
using faultline::base::MutexLock;'

# $1: the name; stdin: the body. Writes $dir/$1.cc.
write() { { echo "$header"; cat; } >"$dir/$1.cc"; }

write good <<'CC'
class Counter {
 public:
  void Add() {
    MutexLock lock(&mu_);
    ++n_;
  }
 private:
  Mutex mu_;
  int n_ ABSL_GUARDED_BY(mu_) = 0;
};
void HandOff(Mutex* mu) ABSL_UNLOCK_FUNCTION(mu) { mu->Unlock(); }
void Caller(Mutex* mu) {
  mu->Lock();
  HandOff(mu);
}
CC

write unguarded <<'CC'
class Counter {
 public:
  void Add() { ++n_; }
 private:
  Mutex mu_;
  int n_ ABSL_GUARDED_BY(mu_) = 0;
};
CC

write handoff <<'CC'
void HandOff(Mutex* mu) { mu->Unlock(); }
void Caller(Mutex* mu) {
  mu->Lock();
  HandOff(mu);
}
CC

fail() { echo "FAIL: $*" >&2; exit 1; }

"$check" "$dir/good.cc" >"$dir/out" 2>&1 || {
  cat "$dir/out"
  fail "the check rejected correct code"
}

# $1: the file; $2: the warning it must print.
expect_failure() {
  if "$check" "$dir/$1.cc" >"$dir/out" 2>&1; then
    cat "$dir/out"
    fail "the check passed $1.cc"
  fi
  grep -q -- "$2" "$dir/out" || {
    cat "$dir/out"
    fail "$1.cc: no \"$2\""
  }
  echo "$1.cc rejected: $(grep -m1 -- "$2" "$dir/out")"
}
expect_failure unguarded "requires holding mutex 'mu_'"
expect_failure handoff "releasing mutex 'mu' that was not held"
echo PASS
