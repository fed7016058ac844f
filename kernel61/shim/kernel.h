/*
 * -----------------------------------------------------------------------------
 * File: kernel.h
 * -----------------------------------------------------------------------------
 *
 * The kernel API shim: just enough of Linux 6.1's headers for the extracted
 * btrfs extent_buffer functions (extract/manifest.txt) to compile unchanged
 * as C in user space, with CONFIG_BTRFS_ASSERT on and 4 KiB pages.
 *
 * Everything shared between tasks (atomic_t, bitops, spinlock_t, the page
 * lock, RCU, slab memory, bio submission) goes through the bridge
 * (bridge/bridge.h), so each is a faultline scheduling point and a trace
 * event at the kernel's own function and file:line. Plain fields (eb->start,
 * page->private) stay plain loads and stores, as in the kernel.
 *
 * Types are the kernel's names with only the fields the extracted code
 * touches. Functions the extracted code calls but this scenario never needs
 * (subpage, data inodes, fsverity, checksums, write-back) are stubs that
 * end the iteration with a `kernel61.unreachable` violation if reached,
 * except where a no-op is what the kernel does in this configuration
 * (lockdep classes, leak lists without CONFIG_BTRFS_DEBUG, log messages).
 * docs/kernel_source.md lists what is shimmed, stubbed and why.
 */
#ifndef KERNEL61_SHIM_KERNEL_H_
#define KERNEL61_SHIM_KERNEL_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel61/bridge/bridge.h"

/* ---- compiler and basic types ---- */
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef unsigned long long u64;
typedef int8_t s8;
typedef int pid_t;
typedef unsigned int gfp_t;
typedef unsigned int blk_opf_t;
typedef u8 blk_status_t;
typedef long long loff_t;
typedef unsigned long pgoff_t;
typedef u64 sector_t;

#define __init
#define __cold
#define noinline __attribute__((noinline))
#define noinline_for_stack noinline
#define __releases(x)
#define __acquires(x)
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define BITS_PER_LONG 64
#define BITS_PER_BYTE 8
#define MAX_ERRNO 4095
#define EINVAL 22
#define ENOMEM 12
#define EIO 5
#define EEXIST 17
#define EAGAIN 11
#define EOVERFLOW 75

#define container_of(ptr, type, member) \
  ((type*)((char*)(ptr)-offsetof(type, member)))
#define max(a, b) ((a) > (b) ? (a) : (b))
#define min(a, b) ((a) < (b) ? (a) : (b))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a)-1)) == 0)

static inline void* ERR_PTR(long error) { return (void*)error; }
static inline long PTR_ERR(const void* ptr) { return (long)ptr; }
static inline bool IS_ERR(const void* ptr) {
  return (unsigned long)ptr >= (unsigned long)-MAX_ERRNO;
}

/* ---- kernel checks (CONFIG_BTRFS_ASSERT=y) ---- */
#define ASSERT(cond)                                                       \
  do {                                                                     \
    if (unlikely(!(cond))) k61_check_failed("ASSERT", #cond, 1, K61_SITE); \
  } while (0)
#define BUG_ON(cond)                                                    \
  do {                                                                  \
    if (unlikely(cond)) k61_check_failed("BUG_ON", #cond, 1, K61_SITE); \
  } while (0)
#define BUG() k61_check_failed("BUG", "BUG()", 1, K61_SITE)
#define WARN_ON(cond)                                                        \
  ({                                                                         \
    int k61_warn = !!(cond);                                                 \
    if (unlikely(k61_warn)) k61_check_failed("WARN_ON", #cond, 0, K61_SITE); \
    k61_warn;                                                                \
  })
/* The shim reached a path this scenario never needs. */
#define K61_UNREACHABLE(name) \
  k61_check_failed("unreachable", name, 1, "kernel61", __FILE__, __LINE__)

/* ---- atomic_t ---- */
typedef struct {
  int counter;
} atomic_t;

/* The op's name, its arguments as written, and the traced object's name. */
#define K61_OP(name, v) name, #v, #v
#define atomic_read(v) \
  k61_int_read(&(v)->counter, K61_OP("atomic_read", v), K61_SITE)
#define atomic_set(v, i) \
  k61_int_set(&(v)->counter, (i), K61_OP("atomic_set", v), K61_SITE)
#define atomic_inc(v)                                                  \
  ((void)k61_int_add_return(&(v)->counter, 1, K61_OP("atomic_inc", v), \
                            K61_SITE))
#define atomic_dec(v)                                                   \
  ((void)k61_int_add_return(&(v)->counter, -1, K61_OP("atomic_dec", v), \
                            K61_SITE))
#define atomic_dec_and_test(v)                                             \
  (k61_int_add_return(&(v)->counter, -1, K61_OP("atomic_dec_and_test", v), \
                      K61_SITE) == 0)
#define atomic_inc_not_zero(v)                                          \
  k61_int_inc_not_zero(&(v)->counter, K61_OP("atomic_inc_not_zero", v), \
                       K61_SITE)
#define atomic_try_cmpxchg(v, old, new_value)            \
  k61_int_try_cmpxchg(&(v)->counter, (old), (new_value), \
                      K61_OP("atomic_try_cmpxchg", v), K61_SITE)

/* ---- bitops on unsigned long words ---- */
#define K61_BITOP(name, nr, addr) name, #nr ", " #addr, #addr
#define test_bit(nr, addr) \
  k61_test_bit((nr), (addr), K61_BITOP("test_bit", nr, addr), K61_SITE)
#define set_bit(nr, addr) \
  ((void)k61_bit_op(0, (nr), (addr), K61_BITOP("set_bit", nr, addr), K61_SITE))
#define clear_bit(nr, addr)                                            \
  ((void)k61_bit_op(1, (nr), (addr), K61_BITOP("clear_bit", nr, addr), \
                    K61_SITE))
#define test_and_set_bit(nr, addr) \
  k61_bit_op(2, (nr), (addr), K61_BITOP("test_and_set_bit", nr, addr), K61_SITE)
#define test_and_clear_bit(nr, addr)                                     \
  k61_bit_op(3, (nr), (addr), K61_BITOP("test_and_clear_bit", nr, addr), \
             K61_SITE)

/* ---- locks ---- */
typedef struct {
  unsigned int raw; /* unused: the bridge keys the lock by address */
} spinlock_t;

#define spin_lock_init(l) k61_spin_init((l), #l, K61_SITE)
#define spin_lock(l) k61_spin_lock((l), #l, K61_SITE)
#define spin_unlock(l) k61_spin_unlock((l), #l, K61_SITE)
/* Held by some task (the bridge does not expose which). */
#define lockdep_assert_held(l)                                  \
  do {                                                          \
    if (unlikely(!k61_spin_is_locked(l)))                       \
      k61_check_failed("lockdep_assert_held", #l, 1, K61_SITE); \
  } while (0)

struct rw_semaphore {
  int unused;
};
#define init_rwsem(sem) ((void)(sem))

struct list_head {
  struct list_head *next, *prev;
};
static inline void INIT_LIST_HEAD(struct list_head* list) {
  list->next = list;
  list->prev = list;
}

/* ---- RCU ---- */
struct rcu_head {
  struct rcu_head* next;
  void (*func)(struct rcu_head* head);
};
#define rcu_read_lock() k61_rcu_read_lock(K61_SITE)
#define rcu_read_unlock() k61_rcu_read_unlock(K61_SITE)
#define call_rcu(head, fn) k61_call_rcu((head), (void (*)(void*))(fn), K61_SITE)

/* ---- slab ---- */
struct kmem_cache {
  const char* name;
  size_t size;
};
#define GFP_NOFS 0x1u
#define GFP_KERNEL 0x2u
#define GFP_ATOMIC 0x4u
#define __GFP_NOFAIL 0x8u
#define kmem_cache_zalloc(cache, gfp) \
  k61_slab_alloc((cache)->name, (cache)->size, K61_SITE)
#define kmem_cache_free(cache, obj) \
  k61_slab_free((cache)->name, (obj), K61_SITE)
/* extent_io.c's own cache (extent_buffer_init_cachep is not extracted). */
static __attribute__((unused)) struct kmem_cache* extent_buffer_cache;

/* ---- pages and the page cache ---- */
#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_ALIGNED(addr) IS_ALIGNED((unsigned long)(addr), PAGE_SIZE)
#define offset_in_page(p) ((unsigned long)(p) & (PAGE_SIZE - 1))
#define BTRFS_MAX_METADATA_BLOCKSIZE 65536
#define K61_MAX_PAGES 64 /* page cache slots of the btree inode */

enum pageflags {
  PG_locked, /* the bridge's page lock (bit 0, as the bridge assumes) */
  PG_error,
  PG_uptodate,
  PG_dirty,
  PG_writeback,
  PG_private,
};

struct address_space;
struct page {
  unsigned long flags;
  atomic_t _refcount;
  struct address_space* mapping;
  pgoff_t index;
  unsigned long private;
};
/* A single-page folio: &folio->page is the page, as in 6.1. */
struct folio {
  struct page page;
};

#define PageUptodate(p) test_bit(PG_uptodate, &(p)->flags)
#define SetPageUptodate(p) set_bit(PG_uptodate, &(p)->flags)
#define ClearPageUptodate(p) clear_bit(PG_uptodate, &(p)->flags)
#define PageError(p) test_bit(PG_error, &(p)->flags)
#define SetPageError(p) set_bit(PG_error, &(p)->flags)
#define ClearPageError(p) clear_bit(PG_error, &(p)->flags)
#define PageDirty(p) test_bit(PG_dirty, &(p)->flags)
#define PageWriteback(p) test_bit(PG_writeback, &(p)->flags)
#define PagePrivate(p) test_bit(PG_private, &(p)->flags)
#define folio_test_writeback(f) PageWriteback(&(f)->page)
#define folio_test_dirty(f) PageDirty(&(f)->page)

#define get_page(p) atomic_inc(&(p)->_refcount)
#define put_page(p) k61_put_page((p), K61_SITE)
void k61_put_page(struct page* page, K61_SITE_PARAMS);
#define attach_page_private(p, data) \
  k61_attach_page_private((p), (data), K61_SITE)
#define detach_page_private(p) k61_detach_page_private((p), K61_SITE)
void k61_attach_page_private(struct page* page, void* data, K61_SITE_PARAMS);
void* k61_detach_page_private(struct page* page, K61_SITE_PARAMS);

#define lock_page(p) k61_page_lock(&(p)->flags, K61_SITE)
#define trylock_page(p) k61_page_trylock(&(p)->flags, K61_SITE)
#define unlock_page(p) k61_page_unlock(&(p)->flags, K61_SITE)
#define wait_on_page_locked(p) k61_page_wait_unlocked(&(p)->flags, K61_SITE)
#define PageLocked(p) k61_page_is_locked(&(p)->flags)
#define mark_page_accessed(p)                    \
  ((void)(p)) /* LRU aging: no shared state here \
               */

static inline loff_t page_offset(const struct page* page) {
  return (loff_t)page->index << PAGE_SHIFT;
}

/* find_or_create_page: the page at `index`, locked, with a reference. */
#define find_or_create_page(mapping, index, gfp) \
  k61_find_or_create_page((mapping), (index), K61_SITE)
struct page* k61_find_or_create_page(struct address_space* mapping,
                                     pgoff_t index, K61_SITE_PARAMS);

/* ---- the buffer radix tree (a small map; lookups are RCU-safe) ---- */
#define K61_RADIX_SLOTS 16
struct radix_tree_root {
  unsigned long index[K61_RADIX_SLOTS];
  void* item[K61_RADIX_SLOTS];
};
#define radix_tree_preload(gfp) 0
#define radix_tree_preload_end() ((void)0)
#define radix_tree_lookup(root, index) \
  k61_radix_lookup((root), (index), K61_SITE)
#define radix_tree_insert(root, index, item) \
  k61_radix_insert((root), (index), (item), K61_SITE)
#define radix_tree_delete(root, index) \
  k61_radix_delete((root), (index), K61_SITE)
void* k61_radix_lookup(struct radix_tree_root* root, unsigned long index,
                       K61_SITE_PARAMS);
int k61_radix_insert(struct radix_tree_root* root, unsigned long index,
                     void* item, K61_SITE_PARAMS);
void k61_radix_delete(struct radix_tree_root* root, unsigned long index,
                      K61_SITE_PARAMS);

/* ---- VFS and btrfs objects (fields the extracted code uses) ---- */
struct super_block {
  void* s_fs_info;
};
struct inode {
  struct super_block* i_sb;
  struct address_space* i_mapping;
  loff_t i_size;
};
struct address_space {
  struct inode* host;
  spinlock_t private_lock;
  spinlock_t i_pages_lock; /* guards pages[] (the xarray's lock) */
  struct page* pages[K61_MAX_PAGES];
};
struct extent_io_tree {
  int unused;
};
struct btrfs_root;
struct btrfs_inode {
  struct inode vfs_inode;
  struct extent_io_tree io_tree;
  struct btrfs_root* root;
};
#define BTRFS_I(inode) container_of((inode), struct btrfs_inode, vfs_inode)
struct btrfs_subpage_info;
struct btrfs_fs_info {
  u32 nodesize;
  u32 sectorsize;
  u32 sectorsize_bits;
  spinlock_t buffer_lock;
  struct radix_tree_root buffer_radix;
  struct inode* btree_inode;
  struct btrfs_subpage_info* subpage_info;
};
static inline struct btrfs_fs_info* btrfs_sb(struct super_block* sb) {
  return (struct btrfs_fs_info*)sb->s_fs_info;
}
static inline bool btrfs_is_testing(struct btrfs_fs_info* fs_info) {
  (void)fs_info;
  return false;
}
/* The only inode here is the btree inode: metadata. */
static inline bool is_data_inode(struct inode* inode) {
  (void)inode;
  return false;
}
static inline loff_t i_size_read(const struct inode* inode) {
  return inode->i_size;
}
static inline bool fsverity_active(const struct inode* inode) {
  (void)inode;
  return false;
}
#define fsverity_verify_page(page) \
  (K61_UNREACHABLE("fsverity_verify_page"), false)

#define BTRFS_TREE_RELOC_OBJECTID (-8ULL)
#define BTRFS_FS_TREE_OBJECTID 5ULL
#define btrfs_set_buffer_lockdep_class(owner, eb, level) \
  ((void)(owner), (void)(eb), (void)(level))
/* Without CONFIG_BTRFS_DEBUG these are no-ops in extent_io.c too. */
#define btrfs_leak_debug_add_eb(eb) ((void)(eb))
#define btrfs_leak_debug_del_eb(eb) ((void)(eb))

/* Messages: the format is checked, nothing is printed. */
static inline __attribute__((format(printf, 2, 3))) void k61_printk(
    const void* fs_info, const char* fmt, ...) {
  (void)fs_info;
  (void)fmt;
}
#define btrfs_err(fs_info, fmt, ...) k61_printk((fs_info), fmt, ##__VA_ARGS__)
#define btrfs_info(fs_info, fmt, ...) k61_printk((fs_info), fmt, ##__VA_ARGS__)
#define btrfs_debug(fs_info, fmt, ...) k61_printk((fs_info), fmt, ##__VA_ARGS__)

/* ---- subpage (nodesize < PAGE_SIZE): never taken with 4 KiB pages ---- */
enum btrfs_subpage_type {
  BTRFS_SUBPAGE_METADATA,
  BTRFS_SUBPAGE_DATA,
};
struct btrfs_subpage {
  atomic_t eb_refs;
  atomic_t readers;
};
static inline bool btrfs_is_subpage(const struct btrfs_fs_info* fs_info,
                                    struct page* page) {
  (void)page;
  return fs_info->sectorsize < PAGE_SIZE;
}
#define K61_SUBPAGE(name) (K61_UNREACHABLE(name), 0)
#define btrfs_subpage_end_reader(f, p, s, l) \
  ((void)K61_SUBPAGE("btrfs_subpage_end_reader"))
#define btrfs_attach_subpage(f, p, t) K61_SUBPAGE("btrfs_attach_subpage")
#define btrfs_detach_subpage(f, p) ((void)K61_SUBPAGE("btrfs_detach_subpage"))
#define btrfs_free_subpage(p) ((void)(p)) /* NULL outside subpage */
#define btrfs_alloc_subpage(f, t) \
  ((struct btrfs_subpage*)ERR_PTR(K61_SUBPAGE("btrfs_alloc_subpage")))
#define btrfs_page_dec_eb_refs(f, p) \
  ((void)K61_SUBPAGE("btrfs_page_dec_eb_refs"))
/* Real subpage.c returns early unless subpage; so does this. */
#define btrfs_page_inc_eb_refs(f, p) ((void)(f), (void)(p))
#define btrfs_subpage_clear_uptodate(f, p, s, l) \
  ((void)K61_SUBPAGE("btrfs_subpage_clear_uptodate"))
#define btrfs_subpage_set_uptodate(f, p, s, l) \
  ((void)K61_SUBPAGE("btrfs_subpage_set_uptodate"))
/* subpage.c's btrfs_page_* helpers, non-subpage branch. */
#define btrfs_page_set_uptodate(f, p, s, l) SetPageUptodate(p)
#define btrfs_page_clear_uptodate(f, p, s, l) ClearPageUptodate(p)
#define btrfs_page_set_error(f, p, s, l) SetPageError(p)
#define btrfs_page_test_dirty(f, p, s, l) PageDirty(p)

/* ---- bios ---- */
enum btrfs_compression_type {
  BTRFS_COMPRESS_NONE,
};
#define REQ_OP_READ 0u
#define REQ_OP_WRITE 1u
#define BTRFS_MAP_WRITE 1
#define BIO_CLONED 1
struct bio_vec {
  struct page* bv_page;
  unsigned int bv_len;
  unsigned int bv_offset;
};
struct bvec_iter {
  sector_t bi_sector;
  unsigned int bi_size;
};
#define K61_BIO_MAX_VECS 16
struct bio {
  blk_status_t bi_status;
  unsigned long bi_flags;
  unsigned short bi_vcnt;
  blk_opf_t bi_opf;
  struct bvec_iter bi_iter;
  struct bio_vec bi_io_vec[K61_BIO_MAX_VECS];
};
struct btrfs_bio;
typedef void (*btrfs_bio_end_io_t)(struct btrfs_bio* bbio);
struct btrfs_bio {
  unsigned int mirror_num;
  u64 file_offset;
  btrfs_bio_end_io_t end_io;
  void* private;
  struct bio bio;
};
static inline struct btrfs_bio* btrfs_bio(struct bio* bio) {
  return container_of(bio, struct btrfs_bio, bio);
}
#define bio_flagged(bio, flag) (((bio)->bi_flags >> (flag)) & 1UL)
#define bio_first_bvec_all(bio) (&(bio)->bi_io_vec[0])
#define btrfs_op(bio) ((int)(bio)->bi_opf)
struct bvec_iter_all {
  int idx;
};
#define bio_for_each_segment_all(bvl, bio, iter)     \
  for ((iter).idx = 0, (bvl) = &(bio)->bi_io_vec[0]; \
       (iter).idx < (bio)->bi_vcnt;                  \
       (iter).idx++, (bvl) = &(bio)->bi_io_vec[(iter).idx])
struct writeback_control;

/* disk-io.c's metadata submission: queued for the I/O completion task. */
#define btrfs_submit_metadata_bio(inode, bio, mirror) \
  ((void)(inode), (void)(mirror), k61_bio_submit((bio), K61_SITE))
#define btrfs_submit_data_write_bio(i, b, m) \
  K61_UNREACHABLE("btrfs_submit_data_write_bio")
#define btrfs_submit_data_read_bio(i, b, m, c) \
  K61_UNREACHABLE("btrfs_submit_data_read_bio")
#define bio_put(bio) k61_bio_put(bio, K61_SITE)
void k61_bio_put(struct bio* bio, K61_SITE_PARAMS);
#define btrfs_bio_free_csum(bbio) ((void)(bbio)) /* metadata: no csums */

/* Data-inode read paths (is_data_inode() is false here). */
#define btrfs_verify_data_csum(bbio, off, page, s, e) \
  (K61_UNREACHABLE("btrfs_verify_data_csum"), 0u)
#define submit_data_read_repair(i, bbio, off, bvec, bits) \
  K61_UNREACHABLE("submit_data_read_repair")
/* Repair records exist only after a failed read with a mirror; none here. */
#define btrfs_clean_io_failure(inode, start, page, off) \
  ((void)(inode), (void)(start), (void)(page), (void)(off))
#define zero_user_segment(page, s, e) \
  ((void)(page), (void)(s), (void)(e), K61_UNREACHABLE("zero_user_segment"))
/* The btree inode's extent-io-tree locks ranges only for data reads. */
#define unlock_extent_atomic(tree, s, e, cached) \
  ((void)(tree), (void)(s), (void)(e), (void)(cached))

#endif /* KERNEL61_SHIM_KERNEL_H_ */
