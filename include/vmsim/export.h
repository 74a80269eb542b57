/*
 * VMSIM_API marks what libvmsim.so exports: every declaration of the public
 * API (the headers in include/vmsim) carries it.  The library is compiled with
 * -fvisibility=hidden, so the kernel's own functions (alloc_pages, printk,
 * find_vma ...) stay inside it and cannot clash with an embedder's.  The
 * static libvmsim.a is unaffected: the tests and the vmsim command link it.
 */
#ifndef VMSIM_EXPORT_H
#define VMSIM_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define VMSIM_API __attribute__((visibility("default")))
#else
#define VMSIM_API
#endif

#endif
