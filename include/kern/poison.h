/*
 * Poison values, all in one place as in Linux's <linux/poison.h>.
 * Free pages are filled with PAGE_POISON in debug builds and checked when
 * handed out again; slab uses POISON_FREE/POISON_INUSE and the red zones.
 */
#ifndef KERN_POISON_H
#define KERN_POISON_H

#define LIST_POISON1	((void *)(0x100 + 0xdead000000000000UL))
#define LIST_POISON2	((void *)(0x122 + 0xdead000000000000UL))

#define PAGE_POISON	0xaa	/* free buddy pages (Linux PAGE_POISON) */
#define POISON_INUSE	0x5a	/* slab object allocated, not initialised */
#define POISON_FREE	0x6b	/* slab object freed */
#define POISON_END	0xa5	/* last byte of a poisoned slab object */
#define RED_INACTIVE	0x09F911029D74E35BULL	/* slab red zone, object free */
#define RED_ACTIVE	0xD84156C5635688C0ULL	/* slab red zone, object in use */
#define SLAB_RED_BYTE_FREE	0xbb
#define SLAB_RED_BYTE_ACTIVE	0xcc

#endif
