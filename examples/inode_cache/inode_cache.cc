// igrab / iput / evict for the toy inode cache (see inode_cache.h).
#include "examples/inode_cache/inode_cache.h"

#include "framework/check.h"
#include "framework/fault_point.h"
#include "framework/runtime/this_task.h"

namespace icache {
namespace {

void evict(Inode* inode) {
  faultline::this_task::Note("evict: free inode");
  FL_FAULT_POINT("icache.evict.before_free");
  inode->freed.Set(1);
}

}  // namespace

bool igrab(Inode* inode, Variant variant) {
  if (variant == Variant::kFixed) {
    faultline::SpinLockGuard guard(&inode->i_lock);
    if (inode->i_state.test_bit(I_FREEING)) return false;
    inode->i_count.Inc();
    faultline::this_task::Note("igrab: ref taken under i_lock");
    return true;
  }
  // MODEL: the buggy variant checks I_FREEING without i_lock.
  if (inode->i_state.test_bit(I_FREEING)) return false;
  FL_FAULT_POINT("icache.igrab.after_check");
  inode->i_count.Inc();
  faultline::this_task::Note("igrab: I_FREEING clear, ref taken");
  return true;
}

void iput(Inode* inode, Variant variant) {
  if (variant == Variant::kFixed) {
    // atomic_dec_and_lock: the final decrement happens under i_lock.
    inode->i_lock.Lock();
    if (!inode->i_count.DecAndTest()) {
      inode->i_lock.Unlock();
      return;
    }
  } else {
    if (!inode->i_count.DecAndTest()) return;
    faultline::this_task::Note("iput: last ref dropped");
    FL_FAULT_POINT("icache.iput.after_dec");
    inode->i_lock.Lock();
  }
  inode->i_state.set_bit(I_FREEING);
  inode->i_lock.Unlock();
  evict(inode);
}

void use_inode(Inode* inode) {
  FL_BUG_ON(inode->freed.Read() != 0, "icache.use_after_free");
}

}  // namespace icache
