# Helpers the faultline CLI tests share (sourced, not run): run the binary
# once per case, capture stdout, stderr and exit code, and match them; every
# case runs and `finish` fails the test if any case failed.
#
# The caller sets FAULTLINE (and ICACHE_FAULTLINE for irun) and then sources
# this file: source "$(dirname "$0")/cli_test_lib.sh"

TMP="${TEST_TMPDIR:-$(mktemp -d)}"
# The binary reads Bazel's sharding and run-number variables; these tests
# are not plan tests, so run it as a user would.
unset TEST_TOTAL_SHARDS TEST_SHARD_INDEX TEST_SHARD_STATUS_FILE TEST_RUN_NUMBER
unset FAULTLINE_SEED FAULTLINE_ITERATIONS TEST_UNDECLARED_OUTPUTS_DIR

failures=0
OUT="$TMP/stdout"
ERR="$TMP/stderr"
CODE=0

# run ARGS...: runs faultline, sets OUT/ERR files and CODE.
run() {
  "$FAULTLINE" "$@" >"$OUT" 2>"$ERR"
  CODE=$?
}

# irun ARGS...: the same with the inode cache example's faultline.
irun() {
  "$ICACHE_FAULTLINE" "$@" >"$OUT" 2>"$ERR"
  CODE=$?
}

fail() {
  echo "FAIL: $*"
  echo "  --- stdout (head) ---"
  head -20 "$OUT" | sed 's/^/  /'
  echo "  --- stderr (head) ---"
  head -20 "$ERR" | sed 's/^/  /'
  failures=$((failures + 1))
}

# expect_code CASE N
expect_code() {
  if [[ "$CODE" != "$2" ]]; then fail "$1: exit $CODE, want $2"; return 1; fi
  return 0
}

# expect_in CASE FILE TEXT: FILE contains TEXT (fixed string).
expect_in() {
  if ! grep -qF -- "$3" "$2"; then fail "$1: $(basename "$2") lacks \"$3\""; fi
}

# expect_re CASE FILE REGEX
expect_re() {
  if ! grep -qE -- "$3" "$2"; then fail "$1: $(basename "$2") lacks /$3/"; fi
}

# json_token FILE: the first "replay_token" of a `run --json` report.
json_token() {
  grep -m1 '"replay_token"' "$1" | sed -E 's/.*"replay_token": *"([^"]*)".*/\1/'
}

# finish: the test's exit status.
finish() {
  if [[ "$failures" != 0 ]]; then
    echo "$failures case(s) failed"
    exit 1
  fi
  echo "all cases passed"
  exit 0
}
