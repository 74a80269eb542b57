/*
 * GFP masks, with Linux 2.4's values.  The low bits pick the zonelist
 * (gfp_mask & GFP_ZONEMASK indexes pgdat->node_zonelists); the rest say
 * what the allocator may do to satisfy the request: sleep (__GFP_WAIT),
 * dip below the low watermark (__GFP_HIGH), start I/O, call into the fs.
 */
#ifndef KERN_GFP_H
#define KERN_GFP_H

#define __GFP_DMA	0x01u
#define __GFP_HIGHMEM	0x02u
#define GFP_ZONEMASK	0x0fu
#define __GFP_WAIT	0x10u	/* may sleep and reclaim */
#define __GFP_HIGH	0x20u	/* may use emergency pools (below pages_low) */
#define __GFP_IO	0x40u	/* may start low-level I/O */
#define __GFP_HIGHIO	0x80u	/* may start I/O on highmem pages */
#define __GFP_FS	0x100u	/* may call into the filesystem */
#define __GFP_ZERO	0x200u	/* return zeroed pages */
#define __GFP_NOFAIL	0x400u	/* retry forever (used sparingly) */
#define __GFP_NOWARN	0x800u

#define GFP_NOHIGHIO	(__GFP_HIGH | __GFP_WAIT | __GFP_IO)
#define GFP_NOIO	(__GFP_HIGH | __GFP_WAIT)
#define GFP_NOFS	(__GFP_HIGH | __GFP_WAIT | __GFP_IO | __GFP_HIGHIO)
#define GFP_ATOMIC	(__GFP_HIGH)
#define GFP_USER	(__GFP_WAIT | __GFP_IO | __GFP_HIGHIO | __GFP_FS)
#define GFP_HIGHUSER	(__GFP_WAIT | __GFP_IO | __GFP_HIGHIO | __GFP_FS | __GFP_HIGHMEM)
#define GFP_KERNEL	(__GFP_HIGH | __GFP_WAIT | __GFP_IO | __GFP_HIGHIO | __GFP_FS)
#define GFP_NFS		GFP_KERNEL
#define GFP_KSWAPD	(__GFP_WAIT | __GFP_IO | __GFP_HIGHIO | __GFP_FS)
#define GFP_DMA		__GFP_DMA

typedef unsigned int gfp_t;

#endif
