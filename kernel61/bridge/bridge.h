/*
 * -----------------------------------------------------------------------------
 * File: bridge.h
 * -----------------------------------------------------------------------------
 *
 * The C face of the bridge between the kernel shim and faultline: every
 * kernel atomic, bit operation, lock, RCU section, slab allocation and bio
 * goes through one of these calls, which the C++ side (bridge.cc) turns into
 * a faultline scheduling point and a trace event carrying the kernel's own
 * function and file:line. The shim's macros pass K61_SITE (__func__,
 * __FILE__, __LINE__) from the kernel code that used them; the `#line`
 * directives of the extracted text make those the kernel's file and line.
 *
 * Every object here may live in zeroed memory with no constructor run: the
 * atomics and bit words are operated on raw; spinlocks and page locks are
 * faultline locks kept in a side table keyed by address.
 *
 * This header is C and C++; the kernel code and the shim are C.
 */
#ifndef KERNEL61_BRIDGE_BRIDGE_H_
#define KERNEL61_BRIDGE_BRIDGE_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Where a kernel operation was written. */
#define K61_SITE_PARAMS const char *k61_func, const char *k61_file, int k61_line
#define K61_SITE __func__, __FILE__, __LINE__
#define K61_SITE_FWD k61_func, k61_file, k61_line

/*
 * Word operations. `op` is the kernel's name ("atomic_dec_and_test"),
 * `args` its arguments as written ("&eb->refs"), `label` the object's name
 * in traces. `word` is an int (atomic_t.counter) or an unsigned long.
 */
#define K61_OP_PARAMS \
  const char *k61_op, const char *k61_args, const char *k61_label
int k61_int_read(const int* word, K61_OP_PARAMS, K61_SITE_PARAMS);
void k61_int_set(int* word, int value, K61_OP_PARAMS, K61_SITE_PARAMS);
/* Adds `delta`; returns the new value. */
int k61_int_add_return(int* word, int delta, K61_OP_PARAMS, K61_SITE_PARAMS);
/* atomic_inc_not_zero: 1 if it incremented. */
int k61_int_inc_not_zero(int* word, K61_OP_PARAMS, K61_SITE_PARAMS);
/* atomic_try_cmpxchg: 1 if *word was *old (now new); else *old = *word. */
int k61_int_try_cmpxchg(int* word, int* old, int new_value, K61_OP_PARAMS,
                        K61_SITE_PARAMS);

int k61_test_bit(int nr, const volatile unsigned long* word, K61_OP_PARAMS,
                 K61_SITE_PARAMS);
/* kind: 0 set, 1 clear, 2 test_and_set, 3 test_and_clear; returns the old
 * bit. */
int k61_bit_op(int kind, int nr, volatile unsigned long* word, K61_OP_PARAMS,
               K61_SITE_PARAMS);

/* A pointer-sized slot (radix tree item): traced as object ids. */
void* k61_ptr_load(void* const* slot, K61_OP_PARAMS, K61_SITE_PARAMS);
void k61_ptr_store(void** slot, void* value, K61_OP_PARAMS, K61_SITE_PARAMS);

/*
 * One instrumented operation on a whole structure (the buffer radix tree):
 * k61_op_begin is the scheduling point; the caller then reads or writes the
 * structure with plain atomics (nothing else runs until its next scheduling
 * point) and reports the pointer it read or wrote with k61_op_end_ptr.
 * `write`: 0 for a lookup, 1 for an insert or delete.
 */
void k61_op_begin(const void* object, int write, K61_OP_PARAMS,
                  K61_SITE_PARAMS);
void k61_op_end_ptr(const void* object, const void* before, const void* after,
                    K61_OP_PARAMS, K61_SITE_PARAMS);

/* spinlock_t, keyed by address. */
void k61_spin_init(const void* lock, const char* what, K61_SITE_PARAMS);
void k61_spin_lock(const void* lock, const char* what, K61_SITE_PARAMS);
void k61_spin_unlock(const void* lock, const char* what, K61_SITE_PARAMS);
int k61_spin_is_locked(const void* lock);

/*
 * The page lock: bit 0 (PG_locked) of page->flags, owned by nobody (the
 * I/O completion unlocks what a reader locked), with a wait queue per page
 * for sleepers, as in mm/filemap.c.
 */
void k61_page_lock(volatile unsigned long* flags, K61_SITE_PARAMS);
int k61_page_trylock(volatile unsigned long* flags, K61_SITE_PARAMS);
void k61_page_unlock(volatile unsigned long* flags, K61_SITE_PARAMS);
void k61_page_wait_unlocked(volatile unsigned long* flags, K61_SITE_PARAMS);
int k61_page_is_locked(const volatile unsigned long* flags);

/* RCU. */
void k61_rcu_read_lock(K61_SITE_PARAMS);
void k61_rcu_read_unlock(K61_SITE_PARAMS);
void k61_call_rcu(void* head, void (*func)(void* head), K61_SITE_PARAMS);

/*
 * Slab memory: zeroed, no constructor. A freed object is poisoned (0x6b,
 * like SLUB's POISON_FREE) and kept in quarantine until the iteration ends,
 * so its address is never reused and any later bridge operation on it is a
 * `kernel61.use_after_free` violation naming the kernel's file:line.
 * `cache` names the kmem_cache ("extent_buffer", "page", "bio").
 */
void* k61_slab_alloc(const char* cache, size_t size, K61_SITE_PARAMS);
void k61_slab_free(const char* cache, void* object, K61_SITE_PARAMS);
/*
 * A page whose last reference went: counted as freed for leak checks but
 * neither poisoned nor quarantined, since struct page memory (the memmap)
 * stays readable in the kernel; end_bio_extent_readpage reads page->flags
 * after unlock_page, when reclaim may already have freed the page.
 */
void k61_page_free(void* page, K61_SITE_PARAMS);
/* Live (allocated, not freed) objects of `cache`. */
int k61_slab_live(const char* cache);
/* 1 if `object` lies in a freed (quarantined) object. */
int k61_slab_is_freed(const void* object);

/* Bios: submission hands the bio to the scenario's I/O completion task. */
void k61_bio_submit(void* bio, K61_SITE_PARAMS);

/*
 * Kernel checks. ASSERT / BUG_ON end the iteration with a fatal violation
 * named `<kernel function>.<kind>` (e.g.
 * btrfs_release_extent_buffer_pages.ASSERT); WARN_ON records a non-fatal
 * one. `condition` is the kernel's text.
 */
void k61_check_failed(const char* kind, const char* condition, int fatal,
                      K61_SITE_PARAMS);

/* A trace note in the running task's column (function and file:line). */
void k61_note(const char* text, K61_SITE_PARAMS);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KERNEL61_BRIDGE_BRIDGE_H_ */
