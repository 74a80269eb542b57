# vmsim build.  `make` builds build/libvmsim.a, build/libvmsim.so (.so.0) and
# build/vmsim (optimised, debug checks off).  `make test` builds everything
# again under ASan+UBSan with the debug checks on and runs all tests;
# `make tsan-test` runs the concurrency stress tests under TSan.
# Variables: CC, OPT (-O2 -g), SAN (address,undefined | thread), DEBUG=1, BUILD=dir,
# T (test-name filter for the runner).

CC      ?= cc
SAN     ?=
DEBUG   ?= 0
BUILD   ?= build
PREFIX  ?= /usr/local

WARN    := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wpointer-arith -Wvla
OPT     ?= -O2 -g
CFLAGS  ?=
CFLAGS  += $(OPT) -std=gnu11 $(WARN) -fPIC -pthread -Iinclude -Itests -MMD -MP -D_GNU_SOURCE
LDFLAGS += -pthread
LDLIBS  += -lm

ifeq ($(DEBUG),1)
CFLAGS  += -DCONFIG_DEBUG_VM
endif
ifneq ($(SAN),)
CFLAGS  += -fsanitize=$(SAN) -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=$(SAN)
endif

# Every library folder (docs/architecture.md): the simulated hardware, the
# kernel (arch code, boot, kernel, mm, fs, lib), the API layer, the script language.
LIB_DIRS   := hw arch/x86/kernel arch/x86/mm init kernel mm fs drivers/char lib api script
LIB_SRCS   := $(sort $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c)))
TOOL_SRCS  := $(sort $(wildcard tools/vmsim/*.c))
TEST_SRCS  := $(sort $(wildcard tests/*.c tests/unit/*.c))
BENCH_SRCS := $(sort $(wildcard bench/*.c))

LIB_OBJS   := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
TOOL_OBJS  := $(TOOL_SRCS:%.c=$(BUILD)/obj/%.o)
TEST_OBJS  := $(TEST_SRCS:%.c=$(BUILD)/obj/%.o)
BENCH_OBJS := $(BENCH_SRCS:%.c=$(BUILD)/obj/%.o)

# The shell links readline or libedit when installed (detected, never required).
HASH := \#
HAVE_READLINE := $(shell printf '$(HASH)include <stdio.h>\n$(HASH)include <readline/readline.h>\nint main(void){readline("");return 0;}' | \
	$(CC) -x c - -o /dev/null -lreadline >/dev/null 2>&1 && echo 1)
ifeq ($(HAVE_READLINE),1)
TOOL_CFLAGS += -DHAVE_READLINE
TOOL_LIBS   += -lreadline
endif
# Traces are read through zlib when installed (gzip'd traces; Debian: zlib1g-dev).
HAVE_ZLIB := $(shell printf '$(HASH)include <zlib.h>\nint main(void){return !gzopen("", "rb");}' | \
	$(CC) -x c - -o /dev/null -lz >/dev/null 2>&1 && echo 1)
ifeq ($(HAVE_ZLIB),1)
TOOL_CFLAGS += -DHAVE_ZLIB
ZLIB_LIBS   := -lz
TOOL_LIBS   += -lz
endif
# zstd traces through libzstd when installed (Debian: libzstd-dev).
HAVE_ZSTD := $(shell printf '$(HASH)include <zstd.h>\nint main(void){return !ZSTD_createDStream();}' | \
	$(CC) -x c - -o /dev/null -lzstd >/dev/null 2>&1 && echo 1)
ifeq ($(HAVE_ZSTD),1)
TOOL_CFLAGS += -DHAVE_ZSTD
ZLIB_LIBS   += -lzstd
TOOL_LIBS   += -lzstd
endif

# The tool's files that need no session: the trace reader, the timeline writer and the
# reference simulators of `vmsim mrc`, linked into the tests (and the
# simulators into the benchmarks) too.
TOOL_CORE_OBJS  := $(addprefix $(BUILD)/obj/tools/vmsim/,trace_read.o trace_bin.o timeline.o mrc.o mrc_sim.o)
BENCH_TOOL_OBJS := $(addprefix $(BUILD)/obj/tools/vmsim/,mrc_sim.o trace.o trace_read.o trace_bin.o timeline.o)
# The shell's files compiled without readline (obj-plain/): the tests link
# its completion and history (tests/unit/test_shell.c), and vmsim-plain is
# the command as a build without readline makes it (make test runs its shell).
SHELL_SRCS      := $(sort $(wildcard tools/vmsim/shell*.c))
PLAIN_SHELL_OBJS := $(SHELL_SRCS:%.c=$(BUILD)/obj-plain/%.o)
TEST_SHELL_OBJS := $(addprefix $(BUILD)/obj-plain/tools/vmsim/,shell_complete.o shell_history.o)

.PHONY: all lib test fault-sweep tsan-test diff-long run bench install clean check-scenarios check-layers fuzz
all: $(BUILD)/libvmsim.a $(BUILD)/libvmsim.so $(BUILD)/vmsim

lib: $(BUILD)/libvmsim.a

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/tools/vmsim/%.o: tools/vmsim/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(TOOL_CFLAGS) -c $< -o $@

$(BUILD)/obj-plain/tools/vmsim/%.o: tools/vmsim/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(filter-out -DHAVE_READLINE,$(TOOL_CFLAGS)) -c $< -o $@

$(BUILD)/libvmsim.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

# The shared library exports the public API only (docs/architecture.md):
# the library's objects are compiled with hidden visibility, and the
# declarations in include/vmsim carry VMSIM_API.  libvmsim.a keeps every
# symbol for the tests and the tool.  SONAME libvmsim.so.0; libvmsim.so links to it.
SONAME := libvmsim.so.0
LIB_CFLAGS := -fvisibility=hidden
$(LIB_OBJS): CFLAGS += $(LIB_CFLAGS)

# The library's objects depend on the flags they were compiled with: a stamp
# rewritten only when the flags change (an old tree rebuilds with new ones).
$(BUILD)/lib-cflags: FORCE
	@mkdir -p $(dir $@)
	@echo '$(CC) $(CFLAGS) $(LIB_CFLAGS)' | cmp -s - $@ || \
		echo '$(CC) $(CFLAGS) $(LIB_CFLAGS)' > $@
$(LIB_OBJS): $(BUILD)/lib-cflags
FORCE:

$(BUILD)/$(SONAME): $(LIB_OBJS)
	$(CC) -shared -Wl,-soname,$(SONAME) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libvmsim.so: $(BUILD)/$(SONAME)
	ln -sf $(SONAME) $@

# -rdynamic: a reclaim plugin (--reclaim plugin:PATH) calls the vmsim_* the command holds
$(BUILD)/vmsim: $(TOOL_OBJS) $(BUILD)/libvmsim.a
	$(CC) $(LDFLAGS) -rdynamic -o $@ $(TOOL_OBJS) $(BUILD)/libvmsim.a $(TOOL_LIBS) $(LDLIBS)

$(BUILD)/vmsim-plain: $(filter-out $(SHELL_SRCS:%.c=$(BUILD)/obj/%.o),$(TOOL_OBJS)) \
		$(PLAIN_SHELL_OBJS) $(BUILD)/libvmsim.a
	$(CC) $(LDFLAGS) -rdynamic -o $@ $^ $(filter-out -lreadline,$(TOOL_LIBS)) $(LDLIBS)

$(BUILD)/test_runner: $(TEST_OBJS) $(TOOL_CORE_OBJS) $(TEST_SHELL_OBJS) $(BUILD)/libvmsim.a
	$(CC) $(LDFLAGS) -rdynamic -o $@ $(TEST_OBJS) $(TOOL_CORE_OBJS) $(TEST_SHELL_OBJS) \
		$(BUILD)/libvmsim.a $(ZLIB_LIBS) $(LDLIBS)

$(BUILD)/bench_runner: $(BENCH_OBJS) $(BENCH_TOOL_OBJS) $(BUILD)/libvmsim.a
	$(CC) $(LDFLAGS) -o $@ $(BENCH_OBJS) $(BENCH_TOOL_OBJS) $(BUILD)/libvmsim.a $(ZLIB_LIBS) \
		$(LDLIBS) -ldl

# The example reclaim plugin (docs/reclaim.md), built as a plugin author
# would: against include/ only, calling nothing but exported vmsim_*.
$(BUILD)/reclaim_random.so: examples/reclaim_random.c include/vmsim/reclaim.h include/vmsim/vmsim.h
	$(CC) -O2 -g -std=gnu11 $(WARN) -fPIC -shared -fvisibility=hidden -Iinclude -o $@ $<

# The JSON validator of tests/json-test.sh (strict RFC 8259, key paths).
$(BUILD)/jsoncheck: tests/json/jsoncheck.c
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

# The test build: ASan+UBSan, debug checks on, its own object directory.
TEST_BUILD := build/asan
test:
	$(MAKE) --no-print-directory SAN=address,undefined DEBUG=1 BUILD=$(TEST_BUILD) \
		OPT="-O1 -g" $(TEST_BUILD)/test_runner $(TEST_BUILD)/vmsim $(TEST_BUILD)/libvmsim.so \
		$(TEST_BUILD)/vmsim-plain $(TEST_BUILD)/jsoncheck
	$(MAKE) --no-print-directory BUILD=$(TEST_BUILD) $(TEST_BUILD)/reclaim_random.so
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		VMSIM_PLUGIN=$(TEST_BUILD)/reclaim_random.so $(TEST_BUILD)/test_runner $(T)
	VMSIM=$(TEST_BUILD)/vmsim sh tests/run-scenarios.sh
	VMSIM=$(TEST_BUILD)/vmsim PLUGIN=$(TEST_BUILD)/reclaim_random.so sh tests/tool-flags-test.sh
	VMSIM=$(TEST_BUILD)/vmsim sh tests/host-errors-test.sh
	VMSIM=$(TEST_BUILD)/vmsim sh tests/trace-input-test.sh
	VMSIM=$(TEST_BUILD)/vmsim sh tests/sweep-test.sh
	$(MAKE) --no-print-directory BUILD=$(TUTORIAL_BUILD) $(TUTORIAL_BUILD)/vmsim
	VMSIM=$(TUTORIAL_BUILD)/vmsim ALSO=$(TEST_BUILD)/vmsim sh tests/tutorial-test.sh
	VMSIM=$(TEST_BUILD)/vmsim sh tests/trace-bin-test.sh
	VMSIM=$(TEST_BUILD)/vmsim sh tests/plot-test.sh
	VMSIM=$(TEST_BUILD)/vmsim JSONCHECK=$(TEST_BUILD)/jsoncheck sh tests/json-test.sh
	VMSIM=$(TEST_BUILD)/vmsim VMSIM_PLAIN=$(TEST_BUILD)/vmsim-plain sh tests/shell-test.sh
	VMSIM=$(TEST_BUILD)/vmsim sh tests/policy-order-test.sh
	sh tools/check-size.sh
	CC="$(CC)" sh tests/check-layers-test.sh
	sh tools/check-layers.sh -o $(TEST_BUILD)/obj
	CC="$(CC) -fsanitize=address,undefined" sh tests/exports-test.sh $(TEST_BUILD)

# docs/tutorial.md shows the optimised build's output (the one a reader runs):
# make test checks it with that build; tutorial-update rewrites its output
# blocks after a deliberate change (review the diff).
TUTORIAL_BUILD := build
.PHONY: tutorial-update
tutorial-update:
	$(MAKE) --no-print-directory BUILD=$(TUTORIAL_BUILD) $(TUTORIAL_BUILD)/vmsim
	UPDATE=1 VMSIM=$(TUTORIAL_BUILD)/vmsim sh tests/tutorial-test.sh

# The layering of docs/architecture.md (its layers block), checked on the
# #include lines of the sources and the symbols of this build's objects.
check-layers: $(LIB_OBJS) $(TOOL_OBJS)
	sh tools/check-layers.sh -o $(BUILD)/obj

# The fault-injection sweep over every N (make test samples a few per
# script): tests/fault/*.vms with each page allocation, slab allocation and
# page of I/O failing in turn (tests/unit/test_fault_sweep.c).  FAULT_SCRIPT=
# word and FAULT_KIND=page_alloc|slab|io narrow it; FAULT_JOBS=J runs J at a
# time (default: one per CPU).
fault-sweep:
	$(MAKE) --no-print-directory SAN=address,undefined DEBUG=1 BUILD=$(TEST_BUILD) \
		OPT="-O1 -g" $(TEST_BUILD)/test_runner
	FAULT_SWEEP=full ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1 $(TEST_BUILD)/test_runner fault_sweep

# The host differential tests, long: DIFF_LONG more sequences of each kind
# (seed DIFF_SEED), anonymous memory and file mappings.
DIFF_LONG ?= 20000
DIFF_SEED ?= 1
diff-long:
	$(MAKE) --no-print-directory SAN=address,undefined DEBUG=1 BUILD=$(TEST_BUILD) \
		OPT="-O1 -g" $(TEST_BUILD)/test_runner
	VMSIM_DIFF_LONG=$(DIFF_LONG) VMSIM_DIFF_SEED=$(DIFF_SEED) \
	VMSIM_DIFF_FILE_LONG=$(DIFF_LONG) VMSIM_DIFF_FILE_SEED=$(DIFF_SEED) \
		$(TEST_BUILD)/test_runner diff_host_long diff_file_long

# Concurrency stress tests (names containing "stress") under TSan.
TSAN_BUILD := build/tsan
tsan-test:
	$(MAKE) --no-print-directory SAN=thread DEBUG=1 BUILD=$(TSAN_BUILD) OPT="-O1 -g" \
		$(TSAN_BUILD)/test_runner
	TSAN_OPTIONS=halt_on_error=1 $(TSAN_BUILD)/test_runner stress

# libFuzzer targets (clang; FUZZ_TIME seconds each), tests/fuzz/fuzz_NAME.c:
# script (the parser), run (scripts run on machines the first bytes choose),
# trace (the trace readers), exec (the ELF loader), tracebin (binary traces).  `make fuzz-NAME` runs
# one (`make fuzz` the parser), `make fuzz-all` each in turn.  New inputs
# go to build/fuzz/corpus-NAME, seeded with tests/fuzz/corpus/NAME; crashes
# are left as crash-* files to replay (build/fuzz/fuzz_NAME FILE).
FUZZ_BUILD := build/fuzz
FUZZ_TIME  ?= 60
FUZZ_NAMES := script run trace exec tracebin
FUZZ_LEN_script := 4096
FUZZ_LEN_run    := 2048
FUZZ_LEN_trace  := 4096
FUZZ_LEN_exec   := 16384
FUZZ_LEN_tracebin := 4096
FUZZ_DICT       := -dict=$(FUZZ_BUILD)/script.dict
FUZZ_ARGS_script := $(FUZZ_DICT)
FUZZ_ARGS_run   := -close_fd_mask=3 $(FUZZ_DICT)
FUZZ_ARGS_exec  := -close_fd_mask=2

.PHONY: fuzz-lib fuzz-all $(FUZZ_NAMES:%=fuzz-%)
fuzz-lib:
	$(MAKE) --no-print-directory CC=clang SAN=fuzzer-no-link,address,undefined DEBUG=1 \
		BUILD=$(FUZZ_BUILD) OPT="-O1 -g" $(FUZZ_BUILD)/libvmsim.a

$(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%): $(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c \
		tests/fuzz/fuzz_opts.h fuzz-lib
	clang -O1 -g -std=gnu11 -Iinclude -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
		$< $(FUZZ_BUILD)/libvmsim.a -o $@ -pthread -lm

# The script fuzzers' dictionary, printed from the command table (tests/fuzz/script_dict.c).
$(FUZZ_BUILD)/script.dict: fuzz-lib tests/fuzz/script_dict.c
	clang -O1 -g -std=gnu11 -Iinclude -D_GNU_SOURCE -fsanitize=address,undefined \
		tests/fuzz/script_dict.c $(FUZZ_BUILD)/libvmsim.a -o $(FUZZ_BUILD)/script_dict \
		-pthread -lm
	$(FUZZ_BUILD)/script_dict > $@

fuzz: fuzz-script
fuzz-script fuzz-run: $(FUZZ_BUILD)/script.dict
$(FUZZ_NAMES:%=fuzz-%): fuzz-%: $(FUZZ_BUILD)/fuzz_%
	@mkdir -p $(FUZZ_BUILD)/corpus-$*
	$(FUZZ_BUILD)/fuzz_$* -max_total_time=$(FUZZ_TIME) -max_len=$(FUZZ_LEN_$*) -timeout=20 \
		$(FUZZ_ARGS_$*) $(FUZZ_BUILD)/corpus-$* tests/fuzz/corpus/$*

fuzz-all:
	for t in $(FUZZ_NAMES); do $(MAKE) --no-print-directory fuzz-$$t || exit 1; done

run: $(BUILD)/vmsim
	$(BUILD)/vmsim run

bench:
	$(MAKE) --no-print-directory $(BUILD)/bench_runner $(BUILD)/vmsim
	VMSIM=$(BUILD)/vmsim $(BUILD)/bench_runner --json $(BUILD)/bench.jsonl

install: all
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/vmsim \
		$(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
		$(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 $(BUILD)/libvmsim.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(BUILD)/$(SONAME) $(DESTDIR)$(PREFIX)/lib/
	ln -sf $(SONAME) $(DESTDIR)$(PREFIX)/lib/libvmsim.so
	install -m 644 include/vmsim/*.h $(DESTDIR)$(PREFIX)/include/vmsim/
	install -m 755 $(BUILD)/vmsim $(DESTDIR)$(PREFIX)/bin/
	[ ! -f docs/vmsim.1 ] || install -m 644 docs/vmsim.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	sed -e 's|@PREFIX@|$(PREFIX)|' vmsim.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/vmsim.pc

clean:
	rm -rf build

-include $(LIB_OBJS:.o=.d) $(TOOL_OBJS:.o=.d) $(PLAIN_SHELL_OBJS:.o=.d) $(TEST_OBJS:.o=.d) $(BENCH_OBJS:.o=.d)
