// The slow paths of the FL_FAULT_* macros (internal::HitPoint, HitFail,
// HitError) are defined in run_context.cc, next to the thread-local run they
// read, so the compiler inlines RunContext::Hit into them.
#include "framework/fault_point.h"
