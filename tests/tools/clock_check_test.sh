#!/usr/bin/env bash
# Goal: tools/clock_check.sh really fails on a wall-clock read.
# Method: one file per way of reading the wall clock that the check names,
# each must be rejected with its line printed; a file that times with
# std::chrono::steady_clock and absl durations must pass.
set -euo pipefail
check=$1
dir=${TEST_TMPDIR:-$(mktemp -d)}
fail() { echo "FAIL: $*" >&2; exit 1; }

cat >"$dir/good.cc" <<'CC'
#include <chrono>
const auto start = std::chrono::steady_clock::now();
const auto grace = absl::Seconds(2);
int64_t timestamp(int64_t t) { return t; }
CC
"$check" "$dir/good.cc" >"$dir/out" 2>&1 || {
  cat "$dir/out"
  fail "the check rejected monotonic timing"
}

n=0
for line in 'const absl::Time t = absl::Now();' \
  'int64_t ns = absl::GetCurrentTimeNanos();' \
  'cv.wait_until(lock, absl::ToChronoTime(deadline));' \
  'auto t = std::chrono::system_clock::now();' \
  'struct timeval tv; gettimeofday(&tv, nullptr);' \
  'clock_gettime(CLOCK_REALTIME, &ts);' \
  'srand(time(nullptr));'; do
  n=$((n + 1))
  printf '// a file\nint x = 0;\n%s\n' "$line" >"$dir/bad$n.cc"
  if "$check" "$dir/bad$n.cc" >"$dir/out" 2>&1; then
    cat "$dir/out"
    fail "the check passed: $line"
  fi
  grep -qF "bad$n.cc:3:$line" "$dir/out" || {
    cat "$dir/out"
    fail "no line 3 of bad$n.cc in the output"
  }
done
echo "PASS: $n wall-clock reads rejected, monotonic timing accepted"
