#!/usr/bin/env bash
# Checks that every C++ file in the repository is formatted as the
# repository's .clang-format says. Prints each file that differs (and the
# command that fixes it) and exits 1; exits 0 when all match. Used by
# tools/test; `tools/format_check.sh --fix` rewrites the files in place.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t files < <(git ls-files '*.cc' '*.h')
if [[ "${1:-}" == "--fix" ]]; then
  clang-format -i --style=file "${files[@]}"
  exit 0
fi

differ=()
for f in "${files[@]}"; do
  clang-format --style=file "$f" | cmp -s - "$f" || differ+=("$f")
done
if ((${#differ[@]} > 0)); then
  echo "format check: ${#differ[@]} file(s) differ from .clang-format:" >&2
  printf '  %s\n' "${differ[@]}" >&2
  echo "fix with: tools/format_check.sh --fix" >&2
  exit 1
fi
echo "format check: ${#files[@]} files match .clang-format"
