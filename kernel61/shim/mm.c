/*
 * The memory-management side of the shim, shared by both variants: the
 * btree inode's page cache, page references and page->private, the buffer
 * radix tree, bios, and the filesystem objects a scenario starts from. Each
 * shared access goes through the bridge (bridge/bridge.h).
 */
#include "kernel61/shim/mm.h"

#include <string.h>

#include "kernel61/shim/kernel.h"

static struct kmem_cache k61_page_cache = {"page", sizeof(struct page)};

void k61_put_page(struct page *page, K61_SITE_PARAMS) {
  int refs = k61_int_add_return(&page->_refcount.counter, -1, "put_page",
                                "page", "page->_refcount", K61_SITE_FWD);
  if (refs == 0) k61_page_free(page, K61_SITE_FWD);
  if (refs < 0)
    k61_check_failed("VM_BUG_ON_PAGE", "page_ref_count(page) < 0", 1,
                     K61_SITE_FWD);
}

/* include/linux/pagemap.h: a reference for the private pointer. */
void k61_attach_page_private(struct page *page, void *data, K61_SITE_PARAMS) {
  k61_int_add_return(&page->_refcount.counter, 1, "attach_page_private",
                     "page", "page->_refcount", K61_SITE_FWD);
  page->private = (unsigned long)data;
  k61_bit_op(0, PG_private, &page->flags, "attach_page_private",
             "PG_private, page", "page->flags", K61_SITE_FWD);
}

void *k61_detach_page_private(struct page *page, K61_SITE_PARAMS) {
  void *data = (void *)page->private;
  if (!k61_test_bit(PG_private, &page->flags, "detach_page_private",
                    "PG_private, page", "page->flags", K61_SITE_FWD))
    return NULL;
  k61_bit_op(1, PG_private, &page->flags, "detach_page_private",
             "PG_private, page", "page->flags", K61_SITE_FWD);
  page->private = 0;
  k61_put_page(page, K61_SITE_FWD);
  return data;
}

/*
 * mm/filemap.c's find_or_create_page for one mapping: look up under the
 * xarray lock, take a reference, lock the page, and retry if reclaim took it
 * out of the mapping meanwhile; else add a new locked page.
 */
struct page *k61_find_or_create_page(struct address_space *mapping,
                                     pgoff_t index, K61_SITE_PARAMS) {
  if (index >= K61_MAX_PAGES) K61_UNREACHABLE("page index beyond the cache");
  for (;;) {
    k61_spin_lock(&mapping->i_pages_lock, "&mapping->i_pages_lock",
                  K61_SITE_FWD);
    struct page *page = (struct page *)k61_ptr_load(
        (void *const *)&mapping->pages[index], "find_get_page",
        "mapping->pages[index]", "mapping->pages", K61_SITE_FWD);
    if (page != NULL) {
      k61_int_add_return(&page->_refcount.counter, 1, "get_page", "page",
                         "page->_refcount", K61_SITE_FWD);
      k61_spin_unlock(&mapping->i_pages_lock, "&mapping->i_pages_lock",
                      K61_SITE_FWD);
      k61_page_lock(&page->flags, K61_SITE_FWD);
      if (page->mapping == mapping) return page;
      /* Truncated or reclaimed while we slept on the lock. */
      k61_page_unlock(&page->flags, K61_SITE_FWD);
      k61_put_page(page, K61_SITE_FWD);
      continue;
    }
    page = (struct page *)k61_slab_alloc("page", sizeof(struct page),
                                         K61_SITE_FWD);
    page->_refcount.counter = 2; /* the page cache's and the caller's */
    page->mapping = mapping;
    page->index = index;
    k61_page_lock(&page->flags, K61_SITE_FWD); /* not visible yet: never waits */
    k61_ptr_store((void **)&mapping->pages[index], page, "add_to_page_cache",
                  "mapping->pages[index]", "mapping->pages", K61_SITE_FWD);
    k61_spin_unlock(&mapping->i_pages_lock, "&mapping->i_pages_lock",
                    K61_SITE_FWD);
    return page;
  }
}

/*
 * mm/vmscan.c's shrink_folio_list for one page of the btree inode: trylock,
 * ask the filesystem to release private data, and take the page out of the
 * page cache if nobody else holds a reference (page_ref_freeze(2)).
 * Returns 1 if the page was freed from the cache.
 */
int k61_reclaim_page(struct btrfs_fs_info *fs_info, pgoff_t index,
                     bool (*release_folio)(struct folio *folio, gfp_t gfp)) {
  struct address_space *mapping = fs_info->btree_inode->i_mapping;
  int freed = 0;
  k61_spin_lock(&mapping->i_pages_lock, "&mapping->i_pages_lock", K61_SITE);
  struct page *page = (struct page *)k61_ptr_load(
      (void *const *)&mapping->pages[index], "find_get_page",
      "mapping->pages[index]", "mapping->pages", K61_SITE);
  if (page == NULL) {
    k61_spin_unlock(&mapping->i_pages_lock, "&mapping->i_pages_lock",
                    K61_SITE);
    return 0;
  }
  get_page(page); /* isolate_lru_page */
  k61_spin_unlock(&mapping->i_pages_lock, "&mapping->i_pages_lock", K61_SITE);
  if (!trylock_page(page)) {
    put_page(page);
    return 0;
  }
  if (page->mapping == mapping &&
      (!PagePrivate(page) || release_folio((struct folio *)page, GFP_NOFS))) {
    /* __remove_mapping */
    spin_lock(&mapping->i_pages_lock);
    int expected = 2; /* the page cache's and ours */
    if (atomic_try_cmpxchg(&page->_refcount, &expected, 1)) {
      k61_ptr_store((void **)&mapping->pages[index], NULL,
                    "__filemap_remove_folio", "mapping->pages[index]",
                    "mapping->pages", K61_SITE);
      page->mapping = NULL;
      freed = 1;
    }
    spin_unlock(&mapping->i_pages_lock);
  }
  unlock_page(page);
  put_page(page);
  return freed;
}

/*
 * A tiny stand-in for lib/radix-tree.c: each lookup, insert or delete is one
 * operation on the whole tree (a lookup is one RCU-safe load in the kernel
 * too; updates hold fs_info->buffer_lock).
 */
#define K61_RADIX_OP(name) name, "&fs_info->buffer_radix", "buffer_radix"

void *k61_radix_lookup(struct radix_tree_root *root, unsigned long index,
                       K61_SITE_PARAMS) {
  k61_op_begin(root, 0, K61_RADIX_OP("radix_tree_lookup"), K61_SITE_FWD);
  void *found = NULL;
  for (int i = 0; i < K61_RADIX_SLOTS && found == NULL; i++) {
    void *item = __atomic_load_n(&root->item[i], __ATOMIC_ACQUIRE);
    if (item != NULL && root->index[i] == index) found = item;
  }
  k61_op_end_ptr(root, found, found, K61_RADIX_OP("radix_tree_lookup"),
                 K61_SITE_FWD);
  return found;
}

/* Caller holds the tree's lock (fs_info->buffer_lock). */
int k61_radix_insert(struct radix_tree_root *root, unsigned long index,
                     void *item, K61_SITE_PARAMS) {
  k61_op_begin(root, 1, K61_RADIX_OP("radix_tree_insert"), K61_SITE_FWD);
  int free_slot = -1;
  for (int i = 0; i < K61_RADIX_SLOTS; i++) {
    if (root->item[i] == NULL) {
      if (free_slot < 0) free_slot = i;
    } else if (root->index[i] == index) {
      k61_op_end_ptr(root, root->item[i], root->item[i],
                     K61_RADIX_OP("radix_tree_insert"), K61_SITE_FWD);
      return -EEXIST;
    }
  }
  if (free_slot < 0) K61_UNREACHABLE("radix tree full");
  root->index[free_slot] = index;
  __atomic_store_n(&root->item[free_slot], item, __ATOMIC_RELEASE);
  k61_op_end_ptr(root, NULL, item, K61_RADIX_OP("radix_tree_insert"),
                 K61_SITE_FWD);
  return 0;
}

void k61_radix_delete(struct radix_tree_root *root, unsigned long index,
                      K61_SITE_PARAMS) {
  k61_op_begin(root, 1, K61_RADIX_OP("radix_tree_delete"), K61_SITE_FWD);
  void *old = NULL;
  for (int i = 0; i < K61_RADIX_SLOTS && old == NULL; i++) {
    if (root->item[i] != NULL && root->index[i] == index) {
      old = root->item[i];
      __atomic_store_n(&root->item[i], NULL, __ATOMIC_RELEASE);
    }
  }
  k61_op_end_ptr(root, old, NULL, K61_RADIX_OP("radix_tree_delete"),
                 K61_SITE_FWD);
}

void *k61_radix_peek(struct btrfs_fs_info *fs_info, unsigned long index) {
  for (int i = 0; i < K61_RADIX_SLOTS; i++) {
    void *item = __atomic_load_n(&fs_info->buffer_radix.item[i],
                                 __ATOMIC_ACQUIRE);
    if (item != NULL && fs_info->buffer_radix.index[i] == index) return item;
  }
  return NULL;
}

void k61_bio_put(struct bio *bio, K61_SITE_PARAMS) {
  k61_slab_free("bio", btrfs_bio(bio), K61_SITE_FWD);
}

struct k61_fs {
  struct btrfs_fs_info fs_info;
  struct super_block sb;
  struct btrfs_inode btree_inode;
  struct address_space mapping;
};

struct btrfs_fs_info *k61_fs_create(unsigned int nodesize) {
  struct k61_fs *fs = (struct k61_fs *)k61_slab_alloc(
      "fs_info", sizeof(struct k61_fs), "k61_fs_create", __FILE__, __LINE__);
  fs->fs_info.nodesize = nodesize;
  fs->fs_info.sectorsize = 4096;
  fs->fs_info.sectorsize_bits = 12;
  fs->fs_info.btree_inode = &fs->btree_inode.vfs_inode;
  fs->sb.s_fs_info = &fs->fs_info;
  fs->btree_inode.vfs_inode.i_sb = &fs->sb;
  fs->btree_inode.vfs_inode.i_mapping = &fs->mapping;
  fs->btree_inode.vfs_inode.i_size = (loff_t)K61_MAX_PAGES << PAGE_SHIFT;
  fs->mapping.host = &fs->btree_inode.vfs_inode;
  (void)k61_page_cache;
  return &fs->fs_info;
}

struct page *k61_page_peek(struct btrfs_fs_info *fs_info, unsigned long index) {
  return __atomic_load_n(&fs_info->btree_inode->i_mapping->pages[index],
                         __ATOMIC_ACQUIRE);
}

void k61_peek_page(const struct page *page, struct k61_page_state *out) {
  out->refcount = __atomic_load_n(&page->_refcount.counter, __ATOMIC_ACQUIRE);
  unsigned long flags = __atomic_load_n(&page->flags, __ATOMIC_ACQUIRE);
  out->locked = (flags >> PG_locked) & 1;
  out->uptodate = (flags >> PG_uptodate) & 1;
  out->has_private = (flags >> PG_private) & 1;
  out->private_data = (const void *)page->private;
}
