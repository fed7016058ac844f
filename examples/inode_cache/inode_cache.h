// -----------------------------------------------------------------------------
// File: inode_cache.h
// -----------------------------------------------------------------------------
//
// A toy inode cache (igrab / iput / evict) instrumented with faultline: the
// smallest example of adopting the framework for another refcount subsystem.
// Nothing in framework/ knows about it; it plugs in through a registered
// scenario (scenarios.cc) and plans in this folder.
//
// The bug it carries is the classic one that atomic_dec_and_lock() exists to
// prevent: with Variant::kBuggy, iput() drops the last reference without
// holding i_lock, so an igrab() that checks I_FREEING in between takes a
// reference on an inode that is about to be evicted. With Variant::kFixed,
// the final decrement happens under i_lock and igrab checks under it too.
//
// Shared state uses faultline primitives (Atomic, AtomicFlags, SpinLock), so
// every access is a scheduling point under the fiber backend.

#ifndef FAULTLINE_EXAMPLES_INODE_CACHE_INODE_CACHE_H_
#define FAULTLINE_EXAMPLES_INODE_CACHE_INODE_CACHE_H_

#include "framework/runtime/atomic.h"
#include "framework/runtime/spin_lock.h"

namespace icache {

enum class Variant { kBuggy, kFixed };

// i_state bits.
inline constexpr int I_FREEING = 0;

struct Inode {
  faultline::Atomic<int> i_count{1, "inode.i_count"};
  faultline::AtomicFlags i_state{0, "inode.i_state"};
  faultline::SpinLock i_lock{"inode.i_lock"};
  // Set by evict(); the memory stays valid so a late access is detected
  // (icache.use_after_free) instead of being undefined behaviour.
  faultline::Atomic<int> freed{0, "inode.freed"};
};

// Takes a reference unless the inode is being freed. True on success.
bool igrab(Inode* inode, Variant variant);
// Drops a reference; the last one evicts the inode.
void iput(Inode* inode, Variant variant);
// Reads the inode as a holder of a reference would.
void use_inode(Inode* inode);

}  // namespace icache

#endif  // FAULTLINE_EXAMPLES_INODE_CACHE_INODE_CACHE_H_
