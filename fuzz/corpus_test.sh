#!/usr/bin/env bash
# Replays one fuzz target's checked-in corpus (see fuzz/fuzz.bzl): every seed
# input and every crash input saved there must run without a crash.
# usage: corpus_test.sh FUZZ_BINARY CORPUS_DIR
set -euo pipefail
binary="$1"
corpus="$2"
count=$(find -L "$corpus" -type f | wc -l)
((count > 0)) || { echo "FAIL: no corpus files in $corpus"; exit 1; }
"$binary" "$corpus"
