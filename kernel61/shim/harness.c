/*
 * One variant of the extracted kernel code (as_shipped or reverted) as one
 * C translation unit: the shim, the generated kernel text (K61_GENERATED,
 * from extract/extract.py), the stubs that need the kernel's own types, and
 * the entry points the scenario calls (K61_KERNEL names them per variant).
 * Every extracted function is static here, so both variants link into one
 * binary.
 */
#include "kernel61/shim/kernel.h"
#include "kernel61/shim/mm.h"

/* Declared before the kernel text, defined after it. */
struct extent_buffer;
struct btrfs_bio_ctrl;
#define K61_EXTRACTED __attribute__((unused))
static int read_extent_buffer_subpage(struct extent_buffer *eb, int wait,
                                      int mirror_num);
static int try_release_subpage_extent_buffer(struct page *page);
static int validate_subpage_buffer(struct page *page, u64 start, u64 end,
                                   int mirror);
static int validate_extent_buffer(struct extent_buffer *eb);
static int verify_parent_transid(struct extent_io_tree *io_tree,
                                 struct extent_buffer *eb, u64 parent_transid,
                                 int atomic);
static struct extent_buffer *alloc_test_extent_buffer(
    struct btrfs_fs_info *fs_info, u64 start);
static int submit_extent_page(blk_opf_t opf, struct writeback_control *wbc,
                              struct btrfs_bio_ctrl *bio_ctrl, u64 disk_bytenr,
                              struct page *page, size_t size,
                              unsigned long pg_offset,
                              enum btrfs_compression_type compress_type,
                              bool force_bio_submit);

#include K61_GENERATED

#line 37 "kernel61/shim/harness.c"  /* back to this file after the kernel text */

/* Subpage (nodesize < PAGE_SIZE) is not configured. */
static int read_extent_buffer_subpage(struct extent_buffer *eb, int wait,
                                      int mirror_num) {
  (void)eb, (void)wait, (void)mirror_num;
  return K61_SUBPAGE("read_extent_buffer_subpage");
}
static int try_release_subpage_extent_buffer(struct page *page) {
  (void)page;
  return K61_SUBPAGE("try_release_subpage_extent_buffer");
}
static int validate_subpage_buffer(struct page *page, u64 start, u64 end,
                                   int mirror) {
  (void)page, (void)start, (void)end, (void)mirror;
  return K61_SUBPAGE("validate_subpage_buffer");
}

/*
 * The tree-block checks (checksum, header fields, tree-checker) read the
 * block's bytes, which this harness does not model: every block is valid.
 */
static int validate_extent_buffer(struct extent_buffer *eb) {
  (void)eb;
  return 0;
}
/* Generation checks: readahead passes gen 0, for which the kernel's
 * verify_parent_transid returns 0 at once too. */
static int verify_parent_transid(struct extent_io_tree *io_tree,
                                 struct extent_buffer *eb, u64 parent_transid,
                                 int atomic) {
  (void)io_tree, (void)eb, (void)parent_transid, (void)atomic;
  return 0;
}
static struct extent_buffer *alloc_test_extent_buffer(
    struct btrfs_fs_info *fs_info, u64 start) {
  (void)fs_info, (void)start;
  K61_UNREACHABLE("alloc_test_extent_buffer");
  return NULL;
}

/*
 * extent_io.c's submit_extent_page for metadata reads: add the page to the
 * control's bio (a new btrfs_bio with the control's end_io if none), as the
 * kernel does when pages are contiguous; submit_one_bio() hands it to
 * btrfs_submit_metadata_bio, which queues it for the I/O completion task.
 */
static int submit_extent_page(blk_opf_t opf, struct writeback_control *wbc,
                              struct btrfs_bio_ctrl *bio_ctrl, u64 disk_bytenr,
                              struct page *page, size_t size,
                              unsigned long pg_offset,
                              enum btrfs_compression_type compress_type,
                              bool force_bio_submit) {
  (void)wbc, (void)compress_type, (void)force_bio_submit;
  if (bio_ctrl->bio == NULL) {
    struct btrfs_bio *bbio = (struct btrfs_bio *)k61_slab_alloc(
        "bio", sizeof(struct btrfs_bio), K61_SITE);
    bbio->end_io = bio_ctrl->end_io_func;
    bbio->mirror_num = bio_ctrl->mirror_num;
    bbio->bio.bi_opf = opf;
    bbio->bio.bi_iter.bi_sector = disk_bytenr >> 9;
    bio_ctrl->bio = &bbio->bio;
  }
  struct bio *bio = bio_ctrl->bio;
  if (bio->bi_vcnt >= K61_BIO_MAX_VECS) K61_UNREACHABLE("bio full");
  bio->bi_io_vec[bio->bi_vcnt].bv_page = page;
  bio->bi_io_vec[bio->bi_vcnt].bv_len = (unsigned int)size;
  bio->bi_io_vec[bio->bi_vcnt].bv_offset = (unsigned int)pg_offset;
  bio->bi_vcnt++;
  bio->bi_iter.bi_size += (unsigned int)size;
  return 0;
}

/* ---- entry points ---- */

static void k61_readahead_tree_block(struct btrfs_fs_info *fs_info,
                                     unsigned long long bytenr) {
  btrfs_readahead_tree_block(fs_info, bytenr, 0, 0, 0);
}

static void k61_complete_bio(void *bio) {
  struct btrfs_bio *bbio = btrfs_bio((struct bio *)bio);
  bbio->bio.bi_status = 0;
  bbio->end_io(bbio);
}

static void k61_peek_eb(const void *object, struct k61_eb_state *out) {
  const struct extent_buffer *eb = (const struct extent_buffer *)object;
  out->refs = __atomic_load_n(&eb->refs.counter, __ATOMIC_ACQUIRE);
  out->io_pages = __atomic_load_n(&eb->io_pages.counter, __ATOMIC_ACQUIRE);
  out->bflags = __atomic_load_n(&eb->bflags, __ATOMIC_ACQUIRE);
  out->tree_ref = (out->bflags >> EXTENT_BUFFER_TREE_REF) & 1;
  out->in_tree = (out->bflags >> EXTENT_BUFFER_IN_TREE) & 1;
  out->uptodate = (out->bflags >> EXTENT_BUFFER_UPTODATE) & 1;
  out->num_pages = num_extent_pages(eb);
  for (int i = 0; i < out->num_pages && i < 16; i++) out->pages[i] = eb->pages[i];
}

static struct kmem_cache k61_extent_buffer_cache = {
    "extent_buffer", sizeof(struct extent_buffer)};

static bool k61_release_folio(struct folio *folio, unsigned int gfp) {
  extent_buffer_cache = &k61_extent_buffer_cache;
  return btree_release_folio(folio, gfp);
}

static void k61_readahead(struct btrfs_fs_info *fs_info,
                          unsigned long long bytenr) {
  extent_buffer_cache = &k61_extent_buffer_cache;
  k61_readahead_tree_block(fs_info, bytenr);
}

const struct k61_kernel K61_KERNEL = {
#ifdef K61_VARIANT_REVERTED
    .variant = "reverted",
#else
    .variant = "as_shipped",
#endif
    .readahead_tree_block = k61_readahead,
    .release_folio = k61_release_folio,
    .complete_bio = k61_complete_bio,
    .peek_eb = k61_peek_eb,
};
