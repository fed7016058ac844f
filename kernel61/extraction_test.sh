#!/usr/bin/env bash
# Checks what extract.py produced: a Linux 6.1 tree, every manifest entry
# extracted, `#line` directives naming the kernel's files, and the two
# variants differing in exactly the fix's one line of read_extent_buffer_pages.
set -euo pipefail
report="$1" shipped="$2" reverted="$3"

fail() { echo "FAIL: $*" >&2; exit 1; }

head -1 "$report" | grep -qE '^linux 6\.1\.[0-9]+ definitions [0-9]+ ' ||
  fail "report header: $(head -1 "$report")"
manifest_entries=$(($(wc -l <"$report") - 1))
reported=$(head -1 "$report" | awk '{print $4}')
[[ "$manifest_entries" == "$reported" ]] ||
  fail "report lists $manifest_entries definitions, header says $reported"

grep -q '^#line [0-9]* "fs/btrfs/extent_io.c"$' "$shipped" ||
  fail "no #line directive for fs/btrfs/extent_io.c"
grep -q '^#line [0-9]* "fs/btrfs/disk-io.c"$' "$shipped" ||
  fail "no #line directive for fs/btrfs/disk-io.c"

# Kernel lines that differ (the two header comments and the variant macro
# differ by design).
changed=$(diff <(grep -v '^/\*\|^#define K61_VARIANT' "$shipped") \
               <(grep -v '^/\*\|^#define K61_VARIANT' "$reverted") |
          grep '^[<>]' || true)
expected=$'< \tcheck_buffer_tree_ref(eb);\n> '
[[ "$changed" == "$expected" ]] ||
  fail "variants differ in more than the fix's line:"$'\n'"$changed"

echo "extraction: $(head -1 "$report")"
echo "PASS"
