#!/usr/bin/env bash
# Fails if kernel source text is in the repository: kernel61 takes Linux's
# text from the installed linux-source-6.1 at build time and never stores it
# (GPL-2.0 text in an Apache-2.0 tree; see kernel61/NOTICE).
#
# The probes are distinctive lines of the extracted functions, split in two
# here so this file does not contain them. Each must be found in the
# generated kernel text (so the probe is right and the test can fail) and
# in no file tracked by git.
set -euo pipefail

generated="$1"  # kernel61/gen/as_shipped.inc
probes=(
  "This is a little awful but should be ok," " we need to make sure that"
  "WAIT_NONE is only utilized by readahead." " If we can't"
  "The actual lifetime of the extent_buffer" " in the radix tree is"
  "if (!test_and_clear_bit(EXTENT_BUFFER_TREE_REF," " &eb->bflags)) {"
)

# The source tree: this package's BUILD file in the runfiles links there.
build_file="$TEST_SRCDIR/$TEST_WORKSPACE/kernel61/BUILD.bazel"
root="$(dirname "$(dirname "$(readlink -f "$build_file")")")"
if [[ ! -f "$root/WORKSPACE" ]]; then
  echo "cannot find the source tree from $build_file (got $root)" >&2
  exit 1
fi

status=0
for ((i = 0; i < ${#probes[@]}; i += 2)); do
  probe="${probes[i]}${probes[i + 1]}"
  if ! grep -qF -- "$probe" "$generated"; then
    echo "probe not in the generated kernel text (stale probe?): $probe" >&2
    status=1
    continue
  fi
  if command -v git >/dev/null && git -C "$root" rev-parse >/dev/null 2>&1; then
    hits=$(git -C "$root" grep -lF -e "$probe" || true)
  else
    hits=$(grep -rlF --exclude-dir=.git --exclude-dir='bazel-*' -- "$probe" \
           "$root" || true)
  fi
  if [[ -n "$hits" ]]; then
    echo "kernel source text committed: '$probe' in:" >&2
    echo "$hits" >&2
    status=1
  fi
done
if ((status == 0)); then
  echo "no kernel source text in $root ($((${#probes[@]} / 2)) probes)"
fi
exit "$status"
