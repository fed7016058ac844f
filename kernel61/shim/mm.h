/*
 * -----------------------------------------------------------------------------
 * File: mm.h
 * -----------------------------------------------------------------------------
 *
 * What a scenario (C++) needs from the shim besides the kernel functions:
 * creating the filesystem objects, reclaiming a page as mm/vmscan.c would,
 * and uninstrumented peeks for quiescence checks and trace state columns.
 * The kernel's own structs stay opaque here.
 */
#ifndef KERNEL61_SHIM_MM_H_
#define KERNEL61_SHIM_MM_H_

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

struct btrfs_fs_info;
struct folio;
struct page;

/* An fs_info with a btree inode and its (empty) page cache; 4 KiB sectors. */
struct btrfs_fs_info* k61_fs_create(unsigned int nodesize);

/* One reclaim attempt on the btree inode's page `index`: 1 if freed. */
int k61_reclaim_page(struct btrfs_fs_info* fs_info, unsigned long index,
                     bool (*release_folio)(struct folio* folio,
                                           unsigned int gfp));

/* Uninstrumented peeks (no scheduling point). */
void* k61_radix_peek(struct btrfs_fs_info* fs_info, unsigned long index);
struct page* k61_page_peek(struct btrfs_fs_info* fs_info, unsigned long index);
struct k61_page_state {
  int refcount;
  int locked;
  int uptodate;
  int has_private;
  const void* private_data;
};
void k61_peek_page(const struct page* page, struct k61_page_state* out);

/* The extracted kernel code of one variant, as the scenario drives it. */
struct k61_eb_state {
  int refs;
  int io_pages;
  unsigned long bflags;
  int tree_ref; /* EXTENT_BUFFER_TREE_REF */
  int in_tree;  /* EXTENT_BUFFER_IN_TREE */
  int uptodate; /* EXTENT_BUFFER_UPTODATE */
  int num_pages;
  struct page* pages[16];
};
struct k61_kernel {
  const char* variant;
  /* btrfs_readahead_tree_block(fs_info, bytenr, owner_root 0, gen 0, 0). */
  void (*readahead_tree_block)(struct btrfs_fs_info* fs_info,
                               unsigned long long bytenr);
  /* disk-io.c's btree_release_folio (address_space_operations). */
  bool (*release_folio)(struct folio* folio, unsigned int gfp);
  /* Completes a submitted bio successfully (the device's end_io). */
  void (*complete_bio)(void* bio);
  /* Uninstrumented: the fields of a (live) extent buffer. */
  void (*peek_eb)(const void* eb, struct k61_eb_state* out);
};
extern const struct k61_kernel k61_kernel_as_shipped;
extern const struct k61_kernel k61_kernel_reverted;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KERNEL61_SHIM_MM_H_ */
