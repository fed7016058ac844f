#!/usr/bin/env bash
# Checks that the repository stands on its own: no tracked file refers to
# material outside it (a sibling "../shared" directory, an external
# specification's section numbers such as "spec 3.8"). The model's kernel
# reference lives in docs/btrfs_eb.md. Prints each offending line and exits
# 1; exits 0 when there is none. Used by tools/test.
set -euo pipefail
cd "$(dirname "$0")/.."

# This file names the patterns, so it is left out of the search.
pattern='\.\./shared|/work/shared|\bspec [0-9]+\.[0-9]+|[Ss]pec section'
if git grep -nE "$pattern" -- . ':!LICENSE' ':!tools/selfcontained_check.sh'; then
  echo "self-contained check: the lines above refer to material outside" \
    "the repository; cite the kernel function/file/version or" \
    "docs/btrfs_eb.md instead" >&2
  exit 1
fi
echo "self-contained check: no reference outside the repository"
