// -----------------------------------------------------------------------------
// File: fuzz/fuzz_target.h
// -----------------------------------------------------------------------------
//
// The libFuzzer entry point every fuzz target in this package defines. The
// same target builds two ways:
//   - `bazel build --config=fuzz //fuzz:NAME` links it with libFuzzer (clang,
//     AddressSanitizer, UndefinedBehaviorSanitizer) for real fuzzing;
//   - a normal build links it with corpus_main.cc, which runs every file of a
//     corpus once, so the checked-in seed corpora (and every crash input
//     saved next to them) are replayed by `bazel test //fuzz/...` on every
//     change, with gcc.
//
// A target returns 0; it reports a bug by crashing (an FL_CHECK, a sanitizer
// report, an uncaught exception), never by returning non-zero.

#ifndef FAULTLINE_FUZZ_FUZZ_TARGET_H_
#define FAULTLINE_FUZZ_FUZZ_TARGET_H_

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

#endif  // FAULTLINE_FUZZ_FUZZ_TARGET_H_
