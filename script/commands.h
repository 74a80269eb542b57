/*
 * The rows of the command table: one per command word of the script
 * language, in the order the help lists them; each holds everything the
 * rest of the tree knows about its command (its word, its arguments and
 * help text, whether it is written `A word`, what it releases).  Included
 * twice, as Linux includes its system-call table: script/internal.h
 * defines ROW to declare each command's functions (script_parse_WORD,
 * script_run_WORD, script_release_WORD), script/table.c to make the
 * table's row.  Adding a command is adding a row here and its functions
 * (in the script/cmd_*.c of its topic); no other list names it.
 *
 *   ROW(word, .args = ..., .summary = ..., .example = ...[, .usage, .release,
 *       .per_process, .before_boot, .binds_name])
 *
 * No include guard: it is meant to be included more than once.
 */
	ROW(machine, .args = "KEY=VALUE ...", .release = script_release_machine, .before_boot = true,
	    .summary = "Configure the machine (first line only): RAM, CPUs, paging, swap, ...",
	    .example = "machine ram=64M cpus=2 paging=pae")
	ROW(spawn, .args = "A",
	    .summary = "Start process A, with the stack exec leaves; prints its pid.",
	    .example = "spawn A")
	ROW(mmap, .per_process = true, .args = "ADDR LEN PROT FLAGS [FD [OFFSET]]",
	    .summary = "mmap(2): map LEN bytes (anonymous, or FD's file); prints the address.",
	    .example = "A mmap 0 64K rw- private,anon")
	ROW(munmap, .per_process = true, .args = "ADDR LEN",
	    .summary = "munmap(2): unmap the range.",
	    .example = "A munmap 0x10000000 4K")
	ROW(mprotect, .per_process = true, .args = "ADDR LEN PROT",
	    .summary = "mprotect(2): change the range's protection.",
	    .example = "A mprotect 0x10000000 64K r--")
	ROW(mremap, .per_process = true, .args = "ADDR OLDLEN NEWLEN [FLAGS [NEWADDR]]",
	    .summary = "mremap(2): grow, shrink or move a mapping; prints the new address.",
	    .example = "A mremap 0x10000000 64K 128K maymove")
	ROW(brk, .per_process = true, .args = "ADDR",
	    .summary = "brk(2): set the heap's end (0 asks for it); prints the break.",
	    .example = "A brk 0")
	ROW(madvise, .per_process = true,
	    .args = "ADDR LEN normal|random|sequential|willneed|dontneed",
	    .summary = "madvise(2): advice on the range's use.",
	    .example = "A madvise 0x10000000 64K dontneed")
	ROW(mlock, .per_process = true, .args = "ADDR LEN",
	    .summary = "mlock(2): fault the range in and keep it resident.",
	    .example = "A mlock 0x10000000 32K")
	ROW(munlock, .per_process = true, .args = "ADDR LEN",
	    .summary = "munlock(2): undo mlock on the range.",
	    .example = "A munlock 0x10000000 32K")
	ROW(mlockall, .per_process = true, .args = "current[,future]",
	    .summary = "mlockall(2): lock every mapping (and future ones).",
	    .example = "A mlockall current,future")
	ROW(munlockall, .per_process = true, .args = "",
	    .summary = "munlockall(2): unlock every mapping.",
	    .example = "A munlockall")
	ROW(mincore, .per_process = true, .args = "ADDR LEN",
	    .summary = "mincore(2): 1 or 0 per page (resident), or the resident count past 64.",
	    .example = "A mincore 0x10000000 64K")
	ROW(msync, .per_process = true, .args = "ADDR LEN [sync|async|invalidate]",
	    .summary = "msync(2): a shared file mapping's dirty pages to the file (default sync).",
	    .example = "A msync 0x20000000 64K sync")
	ROW(setsp, .per_process = true, .args = "ADDR",
	    .summary = "Set the stack pointer (stack growth below it is checked).",
	    .example = "A setsp 0x7ffffffd0000")
	ROW(touch, .per_process = true,
	    .args = "ADDR LEN [read|write] [stride=N] [random=COUNT seed=S]",
	    .summary = "Access a byte per stride (in order, or COUNT at seeded random slots).",
	    .example = "A touch 0x10000000 64K write")
	ROW(write, .per_process = true, .args = "[SEL:]ADDR \"TEXT\" | [SEL:]ADDR pattern=SEED len=N",
	    .usage = "A write [SEL:]ADDR \"TEXT\" | A write [SEL:]ADDR pattern=SEED len=N",
	    .release = script_release_write,
	    .summary = "Store bytes: the text (C escapes), or LEN bytes of a seeded pattern.",
	    .example = "A write 0x10000000 \"hello\\n\"")
	ROW(read, .per_process = true, .args = "[SEL:]ADDR LEN",
	    .summary = "Load LEN bytes: hex up to 64, fnv1a64:HASH past that (SEL: a segment).",
	    .example = "A read 0x10000000 12")
	ROW(trace, .per_process = true, .args = "FILE [auto|lackey|din|plain] [map=auto|none]",
	    .release = script_release_trace,
	    .summary = "Replay a memory-access trace as A's accesses; prints their count.",
	    .example = "A trace prog.lackey lackey")
	ROW(fork, .per_process = true, .args = "B", .binds_name = true,
	    .summary = "fork(2): B, a copy-on-write child of A; prints its pid.",
	    .example = "A fork B")
	ROW(clone, .per_process = true, .args = "B", .binds_name = true,
	    .summary = "clone(CLONE_VM): B shares A's address space; prints its pid.",
	    .example = "A clone T")
	ROW(thread, .per_process = true, .args = "B", .binds_name = true,
	    .summary = "clone(CLONE_THREAD): B, a thread of A's process; prints its pid.",
	    .example = "A thread T")
	ROW(exit, .per_process = true, .args = "",
	    .summary = "exit(2): A ends (its memory goes when no thread uses it).",
	    .example = "A exit")
	ROW(exit_group, .per_process = true, .args = "",
	    .summary = "exit_group(2): every thread of A's process ends.",
	    .example = "A exit_group")
	ROW(exec, .per_process = true, .args = "PATH [ARG ...]", .release = script_release_exec,
	    .summary = "execve(2): A runs the ELF file PATH (in root=) with the arguments.",
	    .example = "A exec /bin/prog arg1")
	ROW(on, .per_process = true, .args = "CPU",
	    .summary = "Run A's commands on CPU from now on (sched_setaffinity; children inherit).",
	    .example = "A on 1")
	ROW(set_mempolicy, .per_process = true, .args = "MODE [NODES]",
	    .usage = "A set_mempolicy default|preferred|bind|interleave|local[+static|+relative] "
		     "[NODES]",
	    .summary = "set_mempolicy(2): where A's allocations go (NODES as 0,2-3); children inherit.",
	    .example = "A set_mempolicy interleave 0-1")
	ROW(mbind, .per_process = true, .args = "ADDR LEN MODE [NODES] [strict,move,move_all]",
	    .summary = "mbind(2): the memory policy of the range's pages (its VMAs split at the ends).",
	    .example = "A mbind 0x10000000 64K bind 1")
	ROW(get_mempolicy, .per_process = true, .args = "[ADDR] [node] | allowed",
	    .usage = "A get_mempolicy [ADDR] [node] | A get_mempolicy allowed",
	    .summary = "get_mempolicy(2): A's policy, the range's at ADDR, or the node of ADDR's page.",
	    .example = "A get_mempolicy 0x10000000 node")
	ROW(open, .per_process = true, .args = "PATH [FLAGS [MODE]]", .release = script_release_open,
	    .summary = "open(2) a file of root=; prints the descriptor.",
	    .example = "A open data rdwr,creat 644")
	ROW(close, .per_process = true, .args = "FD",
	    .summary = "close(2) the descriptor.",
	    .example = "A close 3")
	ROW(pread, .per_process = true, .args = "FD ADDR LEN OFFSET",
	    .summary = "pread(2): the file's bytes at OFFSET into A's memory; prints the count.",
	    .example = "A pread 3 0x10000000 4K 0")
	ROW(pwrite, .per_process = true, .args = "FD ADDR LEN OFFSET",
	    .summary = "pwrite(2): A's memory into the file at OFFSET; prints the count.",
	    .example = "A pwrite 3 0x10000000 4K 0")
	ROW(fsync, .per_process = true, .args = "FD",
	    .summary = "fsync(2): write the file's dirty pages.",
	    .example = "A fsync 3")
	ROW(ftruncate, .per_process = true, .args = "FD LEN",
	    .summary = "ftruncate(2): the file's size becomes LEN; prints 0 or the errno.",
	    .example = "A ftruncate 3 4K")
	ROW(truncate, .per_process = true, .args = "PATH LEN", .release = script_release_truncate,
	    .summary = "truncate(2): the file at PATH gets LEN bytes; prints 0 or the errno.",
	    .example = "A truncate /data 4K")
	ROW(swapon, .args = "SIZE [PRIO]",
	    .summary = "Add a swap area of SIZE (a temporary file); prints its number.",
	    .example = "swapon 16M")
	ROW(swapoff, .args = "AREA",
	    .summary = "swapoff(2): bring the area's pages back in and remove it.",
	    .example = "swapoff 0")
	ROW(sysctl, .args = "vm.NAME=VALUE",
	    .summary = "Write /proc/sys/vm/NAME (overcommit_memory, overcommit_ratio, bdflush=N,N,...); prints 0.",
	    .example = "sysctl vm.overcommit_memory=2")
	ROW(sleep, .args = "TIME",
	    .summary = "Virtual time passes (TIME: Ns, Nms or Nj jiffies): periodic kupdate; prints the clock.",
	    .example = "sleep 30s")
	ROW(K, .args = "OP ARGS... [as NAME]", .release = script_release_K,
	    .usage = "K alloc_pages ORDER [GFP] [as NAME]     GFP: kernel,atomic,dma,highmem,zero\n"
		     "K __free_pages PFN [ORDER]\n"
		     "K kmalloc SIZE [GFP] [as NAME]\n"
		     "K kfree ADDR\n"
		     "K kmem_cache_create CACHE SIZE [align=N] [hwcache] [ctor=BYTE]\n"
		     "K kmem_cache_alloc CACHE [GFP] [as NAME]\n"
		     "K kmem_cache_free CACHE ADDR\n"
		     "K kmem_cache_shrink CACHE | K kmem_cache_destroy CACHE\n"
		     "K vmalloc SIZE [as NAME] | K vfree ADDR\n"
		     "K kmap PFN [as NAME] | K kunmap PFN\n"
		     "K read ADDR LEN [in A] | K write ADDR \"TEXT\" [in A]\n"
		     "K insmod MODULE | K rmmod MODULE",
	    .summary = "The kernel context: its allocators, kernel-address loads and stores, modules.",
	    .example = "K kmalloc 100 as buf")
	ROW(show, .args = "WHAT",
	    .usage = "show meminfo|buddyinfo|zoneinfo|slabinfo|vmstat|swaps|kmsg|vmallocinfo|"
		     "sysctl|interrupts|numastat|node_meminfo|diskstats|report\n"
		     "show meminfo|vmstat KEY... | show slabinfo CACHE...\n"
		     "show events\n"
		     "show A maps|smaps|status|numa_maps\n"
		     "show --json meminfo|buddyinfo|zoneinfo|slabinfo|vmstat\n"
		     "show --json A maps|smaps|status\n"
		     "show A pagetable ADDR\n"
		     "show A translate [SEL:]ADDR\n"
		     "show K pagetable ADDR\n"
		     "show page PFN|NAME\n"
		     "show tlb CPU",
	    .summary = "Print a /proc file, A's, the page-table walk of ADDR, a frame, a CPU's TLB, the events, "
		       "or the report.",
	    .example = "show A maps")
	ROW(expect, .args = "WHAT", .release = script_release_expect,
	    .usage = "expect A read ADDR LEN = HEXBYTES\n"
		     "expect A alive\n"
		     "expect A killed SIGNAL [CODE]\n"
		     "expect = VALUE",
	    .summary = "Check memory, a process's fate or the last result; a miss exits 1.",
	    .example = "expect A killed SIGSEGV SEGV_ACCERR")
	ROW(events, .args = "LIST", .before_boot = true,
	    .summary = "Print the kernel events LIST selects (set_event globs; none: off) as they happen.",
	    .example = "events kmem:mm_page_alloc,exceptions:*")
	ROW(explain, .args = "on|off", .before_boot = true,
	    .summary = "Under each result: the kernel's path (Linux's functions), pages, frames and why.",
	    .example = "explain on")
