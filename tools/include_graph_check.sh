#!/usr/bin/env bash
# Checks that the headers a user includes do not reach into the engine: every
# header in `hdrs` of a public cc_library under framework/ may include only
# headers of public targets (and generated *.pb.h), so the include graph has
# no edge from a user header into an engine header. Engine headers are the
# rest: `hdrs` of targets visible to //framework:engine only, and private
# headers in `srcs`. Used by tools/test.
#
#   tools/include_graph_check.sh     # asks bazel query for the targets
#
# Prints each offending `header:line: includes engine.h` and exits 1 if any.
set -euo pipefail
cd "$(dirname "$0")/.."

all='kind("cc_library", //framework/...)'
public="attr(visibility, \"//visibility:public\", $all)"
# Labels of header files, as repository paths (//framework/x:y.h ->
# framework/x/y.h).
headers() {
  bazel query --noshow_progress "$1" 2>/dev/null |
    grep '\.h$' | sed -e 's|^//||' -e 's|:|/|'
}
user=$(mktemp)
engine=$(mktemp)
trap 'rm -f "$user" "$engine"' EXIT
headers "labels(hdrs, $public)" | sort -u >"$user"
headers "labels(hdrs, $all except $public) + labels(srcs, $all)" |
  sort -u | comm -23 - "$user" >"$engine"
[[ -s "$user" ]] || {
  echo "include_graph_check: bazel query found no public header" >&2
  exit 1
}

python3 - "$user" "$engine" <<'PY'
import re, sys
user = set(open(sys.argv[1]).read().split())
engine = set(open(sys.argv[2]).read().split())
include = re.compile(r'#\s*include\s+"(framework/[^"]+)"')
bad = 0
for header in sorted(user):
    for n, line in enumerate(open(header), 1):
        m = include.search(line)
        if not m or m.group(1).endswith(".pb.h"):
            continue
        target = m.group(1)
        if target in engine or target not in user:
            what = "engine" if target in engine else "unlisted"
            print(f"{header}:{n}: includes {what} header {target}")
            bad += 1
print(f"include_graph_check: {len(user)} user headers, {len(engine)} engine "
      f"headers, {bad} edges from a user header into the engine")
sys.exit(1 if bad else 0)
PY
