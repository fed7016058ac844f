// A global operator new that counts, for tests and benchmarks that assert a
// hot path allocates nothing. Linking //framework/testing:counting_new
// replaces operator new/delete for the whole binary, so it belongs only in
// binaries of their own.
#ifndef FAULTLINE_FRAMEWORK_TESTING_COUNTING_NEW_H_
#define FAULTLINE_FRAMEWORK_TESTING_COUNTING_NEW_H_

#include <cstdint>

namespace faultline::testing {

// Calls of the global operator new (any thread) since the program started.
uint64_t AllocationCount();

}  // namespace faultline::testing

#endif  // FAULTLINE_FRAMEWORK_TESTING_COUNTING_NEW_H_
