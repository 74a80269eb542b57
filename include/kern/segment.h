/*
 * The kernel's segments (Linux 2.4's asm/segment.h and head.S's
 * gdt_table): the four flat segments every process and the kernel use,
 * base 0 and limit 4 GiB, code and data at privilege 0 (kernel) and 3
 * (user), in a GDT inside the kernel image; arch/x86/kernel/setup.c
 * writes it, cpu_init loads it on every CPU.  The descriptor format and
 * the checks are the hardware's (include/hw/segment.h).
 */
#ifndef KERN_SEGMENT_H
#define KERN_SEGMENT_H

#include "kern/machine.h"
#include "hw/segment.h"

#define GDT_ENTRY_KERNEL_CS	2
#define GDT_ENTRY_KERNEL_DS	3
#define GDT_ENTRY_USER_CS	4
#define GDT_ENTRY_USER_DS	5
#define GDT_ENTRIES		8	/* null, unused, the four, two unused */

#define __KERNEL_CS	SEL_MAKE(GDT_ENTRY_KERNEL_CS, 0)	/* 0x10 */
#define __KERNEL_DS	SEL_MAKE(GDT_ENTRY_KERNEL_DS, 0)	/* 0x18 */
#define __USER_CS	SEL_MAKE(GDT_ENTRY_USER_CS, 3)		/* 0x23 */
#define __USER_DS	SEL_MAKE(GDT_ENTRY_USER_DS, 3)		/* 0x2b */

/* Where the image's gdt_table lies (physical; after head.S's page tables). */
#define GDT_TABLE_PHYS	0x105000UL

/* setup_gdt - write gdt_table into the kernel image (setup_arch). */
void setup_gdt(struct machine *m);
/* cpu_init - lgdt on every CPU (from trap_init, as 2.4's). */
void cpu_init(struct machine *m);

/* The name of a selector the kernel defines ("__USER_DS"), or NULL. */
const char *selector_name(uint16_t sel);
/* The selector named @name (one of the four), or -1. */
int selector_lookup(const char *name);

#endif
