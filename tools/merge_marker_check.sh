#!/usr/bin/env bash
# Checks that no tracked file holds a leftover merge conflict marker (a
# line starting with seven '<', '=' or '>' characters). A marker in a doc
# builds and tests fine, so only this check catches it. Prints each
# offending line and exits 1; exits 0 when there is none. Used by tools/test.
set -euo pipefail
cd "$(dirname "$0")/.."

# This file names the pattern, so it is left out of the search.
if git grep -nE '^(<{7}|={7}|>{7})( |$)' -- . ':!tools/merge_marker_check.sh'; then
  echo "merge marker check: the lines above are left from a merge;" \
    "resolve them" >&2
  exit 1
fi
echo "merge marker check: none"
