// -----------------------------------------------------------------------------
// File: label_table.h
// -----------------------------------------------------------------------------
//
// The label table: the names traces give to atomics, kept beside the objects
// rather than in them. An Atomic<T> is exactly as large as std::atomic<T>
// (so it can replace one in production code); when it is constructed with a
// label (`Atomic<int> refs{1, "eb.refs"}`) the label goes into this table,
// keyed by the object's address, and leaves it with the object. The trace
// recorder looks an atomic up here the first time an iteration sees it, so
// an operation pays nothing for its label. Destroying an atomic looks at
// one counter of its address bucket and takes a lock only if a labelled
// atomic shares the bucket (one in 4096 buckets, 64 locks).
//
// Built with `--define faultline=off`, atomics drop their labels at
// compile time and nothing uses this table.
//
// Thread-safety: all functions are thread-safe.

#ifndef FAULTLINE_FRAMEWORK_RUNTIME_LABEL_TABLE_H_
#define FAULTLINE_FRAMEWORK_RUNTIME_LABEL_TABLE_H_

namespace faultline {
namespace internal {

// What an atomic passes as its label to the op hooks (op.h). These are
// sentinels by address: the recorder replaces them with the object's label
// from the table, or with their own text ("atomic", "pointer") if it has
// none. Any other label string is used as it is.
extern const char kAtomicLabel[];
extern const char kPointerLabel[];

// Records `label` (a string that outlives the object, e.g. a literal) for
// `object`, replacing an earlier one. `flags`: the object is a flags word
// (AtomicFlags), whose values a rendered table shows as bits.
void SetLabel(const void* object, const char* label, bool flags = false);
// Removes `object`'s label, if any (an atomic's destructor).
void ForgetLabel(const void* object);
// `object`'s label, or `fallback`.
const char* LabelOf(const void* object, const char* fallback);
// True if `object` was labelled as a flags word.
bool IsFlagsWord(const void* object);
// `label` as a trace shows it: LabelOf(object, label) for the sentinels
// above, `label` itself otherwise.
const char* ResolveLabel(const void* object, const char* label);

}  // namespace internal
}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_RUNTIME_LABEL_TABLE_H_
