/*
 * Shared by the two halves of the script language (kernel/script_parse.c:
 * words and commands; kernel/script_values.c: values, names, helpers).
 */
#ifndef KERNEL_SCRIPT_INTERNAL_H
#define KERNEL_SCRIPT_INTERNAL_H

#include <stddef.h>

/* Format an error into @err (one clean line: control bytes become '?'). */
__attribute__((format(printf, 3, 4)))
void script_seterr(char *err, size_t errlen, const char *fmt, ...);
/* An int-sized number (raw flag bits, vmsim_parse_number syntax): 0, or -1. */
int script_parse_int(const char *s, int *out);

#endif
