#!/usr/bin/env bash
# Checks the lock annotations (ABSL_GUARDED_BY, ABSL_UNLOCK_FUNCTION, ...)
# with Clang's -Wthread-safety analysis, which the GCC build ignores: every
# .cc file in framework/ and btrfs_eb/ is parsed once with
#   clang++-14 -fsyntax-only -std=c++17 -Wthread-safety -Werror
# and any diagnostic fails the check. Used by tools/test.
#
#   tools/thread_safety_check.sh          # the whole tree; bazel builds the
#                                         # generated *.pb.h headers first
#   tools/thread_safety_check.sh FILE...  # only these files (paths from the
#                                         # repository root), no bazel
#
# Prints every failing file with Clang's output; exits 1 if any failed.
set -euo pipefail
cd "$(dirname "$0")/.."

clang=${CLANGXX:-clang++-14}
command -v "$clang" >/dev/null || {
  echo "thread_safety_check: $clang not found (tools/setup.sh installs" \
    "clang-14)" >&2
  exit 1
}

flags=(-fsyntax-only -std=c++17 -Wthread-safety -Werror -I.)
if (($# > 0)); then
  files=("$@")
  # Generated headers from an earlier build, if any.
  if [[ -d bazel-bin ]]; then flags+=(-Ibazel-bin); fi
else
  mapfile -t files < <(find framework btrfs_eb -name '*.cc' | sort)
  # The generated headers (plan.pb.h, ...) that some of the files include.
  mapfile -t protos < <(bazel query --noshow_progress \
    'kind(cc_proto_library, //framework/... + //btrfs_eb/...)')
  ((${#protos[@]} > 0)) || {
    echo "thread_safety_check: bazel query found no cc_proto_library" >&2
    exit 1
  }
  bazel build --noshow_progress "${protos[@]}" >&2
  flags+=(-I"$(bazel info bazel-bin 2>/dev/null)")
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# File number $1 is $2: its diagnostics go to a log of its own, so that the
# parallel runs do not interleave, and a mark when it failed.
check_one() {
  if ! "$clang" "${flags[@]}" "$2" >"$out/$1.log" 2>&1; then
    echo "$2" >"$out/$1.failed"
  fi
}
n=0
for file in "${files[@]}"; do
  n=$((n + 1))
  check_one "$n" "$file" &
  while (($(jobs -rp | wc -l) >= $(nproc))); do wait -n || true; done
done
wait

failed=0
for ((i = 1; i <= n; i++)); do
  [[ -f "$out/$i.failed" ]] || continue
  failed=$((failed + 1))
  echo "--- $(cat "$out/$i.failed") ---"
  cat "$out/$i.log"
done
echo "thread_safety_check: $n files, $failed failed" \
  "($clang -Wthread-safety -Werror)"
((failed == 0))
