# SPDX-License-Identifier: GPL-3.0-or-later
# printgate - keeps marketing collateral from going to print before sales
# has reviewed it.
#
#   make                 build/printgated, build/printgatectl, the hook,
#                        build/printgate-render (the previews' renderer)
#   make check           install missing packages, build, run every test
#   make SAN=address,undefined check   the same under sanitizers
#   make demo            install missing packages, build, walk through it
#   make install         PREFIX (/usr/local), DESTDIR
#   make uninstall       the same; names the repositories that still have
#                        the hook, from the configs in SYSCONFDIR/printgate
#
# The source lists below are the architecture: one role a file.

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
LIBEXECDIR ?= $(PREFIX)/libexec/printgate
SYSCONFDIR ?= /etc
DOCDIR     ?= $(PREFIX)/share/doc/printgate
MANDIR     ?= $(PREFIX)/share/man
UNITDIR    ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d

CC      ?= cc
PKGS     = libgit2 libconfig jansson libcurl libmicrohttpd libcrypto libsystemd
SAN     ?=
WERROR  ?=

ifeq ($(SAN),)
BUILD   ?= build
else
BUILD   ?= build/san
endif

WARN     = -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
	   -Wmissing-prototypes -Wpointer-arith -Wvla -Wundef \
	   -Wimplicit-fallthrough -Wno-unused-parameter
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(if $(WERROR),-Werror) \
	   $(if $(SAN),-fsanitize=$(SAN) -fno-sanitize-recover=all -fno-omit-frame-pointer) \
	   -Iinclude -DLIBEXECDIR='"$(LIBEXECDIR)"' \
	   $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(CFLAGS)
ALL_LDFLAGS = $(if $(SAN),-fsanitize=$(SAN)) $(LDFLAGS)
LIBS     = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

# The source lists are the architecture: one role a file, one folder a
# part (ARCHITECTURE.md).  Each program links the parts it needs and no
# more; the unit tests, the benchmarks' tools and the fuzz targets
# (tests/fuzz/run.sh) take theirs from the same lists.

# the shared core: config, repository, ledger, policy, review, recording
CORE_SRCS = $(addprefix daemon/core/,util.c log.c config.c verify.c repo.c \
	    policy.c ledger.c record.c review.c outbox.c)
# the hook's logic, and the warm path's protocol
HOOK_SRCS = hooks/gate.c hooks/wire.c
# the chat platforms: the table, one file a platform, and what they share
CHAT_SRCS = $(addprefix daemon/chat/,platform.c notice.c inbound.c \
	    answer.c slack.c mattermost.c teams.c webhook.c email.c)
# the daemon's parts: the scan (the event log, delivery, the waiting
# reviews, bypass checks, the memo of reviews), HTTP out, and the
# listener (its routes, the decision, the replay-id table, metrics)
DAEMON_SRCS = $(addprefix daemon/printgated/,watch.c engine.c scan.c \
	    memo.c eventlog.c deliver.c pending.c bypass.c notify.c http.c \
	    routes.c decide.c replay.c metrics.c refusal.c \
	    gatesock.c pages.c previews.c)

# the renderer's caller side (what printgated links to run it): the job
# format, and spawning the sandboxed renderer with a cap and a timeout
RENDER_SRCS = $(addprefix daemon/render/,job.c run.c)
# the renderer's comparisons: pixels, regions, pages, words (pure)
RENDER_CMP_SRCS = $(addprefix daemon/render/,compare.c words.c)

# the review page's building blocks: diffs, link tokens, HTML, the pages
WEB_SRCS = $(addprefix daemon/web/,diff.c difftext.c token.c html.c \
	    diffhtml.c previewhtml.c page.c style.c link.c pagereq.c \
	    picpath.c)

# what each program links
PRINTGATED_SRCS = daemon/printgated/printgated.c $(DAEMON_SRCS) \
	    $(CHAT_SRCS) $(WEB_SRCS) $(RENDER_SRCS) $(HOOK_SRCS) $(CORE_SRCS)
# the chat table too: a config names its platforms' settings
PRINTGATECTL_SRCS = daemon/printgatectl/printgatectl.c $(CHAT_SRCS) \
	    daemon/web/token.c daemon/web/link.c $(CORE_SRCS)
# the hook on the warm path: libc only, linked with no library at all
UPDATE_SRCS = hooks/update.c hooks/wire.c
# the hook's fallback: the gate itself, with libgit2 and the config
UPDATE_LOCAL_SRCS = hooks/local.c $(HOOK_SRCS) $(CHAT_SRCS) $(CORE_SRCS)
# the sandboxed renderer: its documents, answer and sandbox, and no more
# of the core than allocation and the log
PRINTGATE_RENDER_SRCS = $(addprefix daemon/render/,printgate-render.c \
	    pdf.c image.c output.c sandbox.c job.c) $(RENDER_CMP_SRCS) \
	    daemon/core/util.c daemon/core/log.c

# The renderer's libraries (README.md says why each); only its own files
# see their headers, as system headers.  giflib has no pkg-config file.
RENDER_PKGS = poppler-glib cairo fontconfig libseccomp libjpeg libwebp jansson
RENDER_CFLAGS = $(patsubst -I%,-isystem %,$(shell pkg-config --cflags \
	    $(RENDER_PKGS) 2>/dev/null))
RENDER_LIBS = $(shell pkg-config --libs $(RENDER_PKGS) 2>/dev/null) -lgif -lm

objs = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

# every part in one archive, for the unit tests and the benchmarks' tools
LIB_SRCS = $(DAEMON_SRCS) $(CHAT_SRCS) $(WEB_SRCS) $(HOOK_SRCS) \
	    $(RENDER_SRCS) $(RENDER_CMP_SRCS) $(CORE_SRCS)

PROGS = $(BUILD)/printgated $(BUILD)/printgatectl $(BUILD)/printgate-update \
	$(BUILD)/printgate-update-local $(BUILD)/printgate-render

UNIT = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
TOOLS = $(BUILD)/tests/receiver $(BUILD)/tests/notify-socket \
	$(BUILD)/tests/mkfixtures $(BUILD)/tests/render-job \
	$(BUILD)/tests/no-landlock $(BUILD)/tests/gate-peer \
	$(BUILD)/tests/pageserve $(BUILD)/tests/preview-url

all: $(PROGS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/libprintgate.a: $(call objs,$(LIB_SRCS))
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/printgated: $(call objs,$(PRINTGATED_SRCS))
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/printgatectl: $(call objs,$(PRINTGATECTL_SRCS))
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/printgate-update: $(call objs,$(UPDATE_SRCS))
	$(CC) $(ALL_LDFLAGS) -o $@ $^

$(BUILD)/printgate-update-local: $(call objs,$(UPDATE_LOCAL_SRCS))
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/obj/daemon/render/%.o: ALL_CFLAGS += $(RENDER_CFLAGS)

$(BUILD)/printgate-render: $(call objs,$(PRINTGATE_RENDER_SRCS))
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(RENDER_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libprintgate.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP $(ALL_LDFLAGS) -o $@ $< \
	    $(BUILD)/libprintgate.a $(LIBS) $(shell pkg-config --libs cmocka)

# the page tests render the fixture view-models the page server serves
$(BUILD)/tests/test_page: tests/unit/test_page.c tests/tools/viewmodel.c \
	    $(BUILD)/libprintgate.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/tools -MMD -MP $(ALL_LDFLAGS) -o $@ \
	    tests/unit/test_page.c tests/tools/viewmodel.c \
	    $(BUILD)/libprintgate.a $(LIBS) $(shell pkg-config --libs cmocka)

# the local HTTP receiver that stands in for the chat platforms in tests
$(BUILD)/tests/receiver: tests/tools/receiver.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP $(ALL_LDFLAGS) -o $@ $< \
	    $(shell pkg-config --libs libmicrohttpd jansson) -lpthread

# the review pages from fixture view-models, for the browser tests
$(BUILD)/tests/pageserve: tests/tools/pageserve.c tests/tools/viewmodel.c \
	    $(BUILD)/libprintgate.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/tools -MMD -MP $(ALL_LDFLAGS) -o $@ \
	    tests/tools/pageserve.c tests/tools/viewmodel.c \
	    $(BUILD)/libprintgate.a $(LIBS) -lpthread

$(BUILD)/tests/notify-socket: tests/tools/notify-socket.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

# the other end of the gate socket: nonsense, silence, raw requests
$(BUILD)/tests/gate-peer: tests/tools/gate-peer.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

# the renderer's fixtures and hostile files, drawn by the tests themselves
$(BUILD)/tests/mkfixtures: tests/tools/mkfixtures.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(RENDER_CFLAGS) -MMD -MP $(ALL_LDFLAGS) -o $@ $< \
	    $(RENDER_LIBS) -lz

# a program run as on a kernel without Landlock, for the renderer's tests
$(BUILD)/tests/no-landlock: tests/tools/no-landlock.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP $(ALL_LDFLAGS) -o $@ $< \
	    $(shell pkg-config --libs libseccomp 2>/dev/null)

# one job through render_run(), its answer as files, for the tests
$(BUILD)/tests/render-job: tests/tools/render-job.c $(BUILD)/libprintgate.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP $(ALL_LDFLAGS) -o $@ $< \
	    $(BUILD)/libprintgate.a $(LIBS)

# a preview's picture URL under a link token, for the tests
$(BUILD)/tests/preview-url: tests/tools/preview-url.c $(BUILD)/libprintgate.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP $(ALL_LDFLAGS) -o $@ $< \
	    $(BUILD)/libprintgate.a $(LIBS)

deps:
	@sh scripts/deps.sh

# Benchmarks (bench/README.md): the generated repository, the gate, the
# listener, the outbox, idle and memory, the renderer; one table at the end.
# bench-quick runs the same on a smaller repository and fewer runs.
BENCH_TOOLS = $(patsubst bench/tools/%.c,$(BUILD)/bench/%,$(wildcard bench/tools/*.c))

$(BUILD)/bench/%: bench/tools/%.c $(BUILD)/libprintgate.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP $(ALL_LDFLAGS) -o $@ $< \
	    $(BUILD)/libprintgate.a $(LIBS)

bench-tools: $(PROGS) $(TOOLS) $(BENCH_TOOLS)

bench: deps
	@sh scripts/deps.sh wrk hyperfine jq valgrind poppler-utils eatmydata
	@$(MAKE) --no-print-directory bench-tools
	@sh bench/run.sh $(BUILD) full

bench-quick: deps
	@sh scripts/deps.sh wrk hyperfine jq valgrind poppler-utils eatmydata
	@$(MAKE) --no-print-directory bench-tools
	@sh bench/run.sh $(BUILD) quick

# the renderer's benchmark alone (against pdftoppm), without the repository
bench-render: deps
	@sh scripts/deps.sh poppler-utils
	@$(MAKE) --no-print-directory bench-tools
	@sh bench/run.sh $(BUILD) full render previews

# The README's test command: packages, build, every test, one summary line.
check: deps
	@$(MAKE) --no-print-directory test

test: $(PROGS) $(UNIT) $(TOOLS)
	@sh tests/run.sh $(BUILD)

# The fuzz targets (libFuzzer, ASan, UBSan), FUZZ_SECONDS each.
FUZZ_SECONDS ?= 30
fuzz:
	@sh scripts/deps.sh clang libclang-rt-14-dev
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS)

# The unit tests under valgrind memcheck: any error or definite leak fails.
valgrind: $(UNIT) $(BUILD)/printgate-render
	@sh scripts/deps.sh valgrind
	@sh tests/valgrind.sh $(BUILD)

demo: deps
	@$(MAKE) --no-print-directory $(PROGS) $(BUILD)/tests/receiver
	@sh scripts/demo.sh $(BUILD)

UNITS = $(wildcard systemd/*.service systemd/*.socket)
MAN1 = $(wildcard man/*.1)
MAN5 = $(wildcard man/*.5)
MAN8 = $(wildcard man/*.8)

install: $(PROGS)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
	    $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(DOCDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(SYSUSERSDIR)
	install -m 755 $(BUILD)/printgated $(DESTDIR)$(SBINDIR)/printgated
	install -m 755 $(BUILD)/printgatectl $(DESTDIR)$(BINDIR)/printgatectl
	install -m 755 $(BUILD)/printgate-update \
	    $(DESTDIR)$(LIBEXECDIR)/printgate-update
	install -m 755 $(BUILD)/printgate-update-local \
	    $(DESTDIR)$(LIBEXECDIR)/printgate-update-local
	install -m 755 $(BUILD)/printgate-render \
	    $(DESTDIR)$(LIBEXECDIR)/printgate-render
	install -m 644 conf/printgate.conf \
	    $(DESTDIR)$(DOCDIR)/printgate.conf.example
	install -m 644 README.md $(DESTDIR)$(DOCDIR)/README.md
	$(if $(MAN1),install -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/)
	$(if $(MAN5),install -m 644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/)
	$(if $(MAN8),install -m 644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/)
	for u in $(UNITS); do \
		sed 's|/usr/sbin/printgated|$(SBINDIR)/printgated|g' $$u \
		    >$(DESTDIR)$(UNITDIR)/$${u##*/} && \
		chmod 644 $(DESTDIR)$(UNITDIR)/$${u##*/} || exit 1; \
	done
	$(if $(wildcard systemd/printgate.conf),install -m 644 \
	    systemd/printgate.conf $(DESTDIR)$(SYSUSERSDIR)/printgate.conf)
	$(if $(wildcard systemd/printgate-tmpfiles.conf),install -d \
	    $(DESTDIR)$(TMPFILESDIR) && install -m 644 \
	    systemd/printgate-tmpfiles.conf $(DESTDIR)$(TMPFILESDIR)/printgate.conf)

uninstall:
	@sh scripts/hooks-left.sh $(DESTDIR)$(SYSCONFDIR)/printgate
	rm -f $(DESTDIR)$(SBINDIR)/printgated $(DESTDIR)$(BINDIR)/printgatectl \
	    $(DESTDIR)$(LIBEXECDIR)/printgate-update \
	    $(DESTDIR)$(LIBEXECDIR)/printgate-update-local \
	    $(DESTDIR)$(LIBEXECDIR)/printgate-render \
	    $(DESTDIR)$(DOCDIR)/printgate.conf.example \
	    $(DESTDIR)$(DOCDIR)/README.md \
	    $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN1))) \
	    $(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(MAN5))) \
	    $(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(MAN8))) \
	    $(addprefix $(DESTDIR)$(UNITDIR)/,$(notdir $(UNITS))) \
	    $(DESTDIR)$(SYSUSERSDIR)/printgate.conf \
	    $(DESTDIR)$(TMPFILESDIR)/printgate.conf
	-rmdir $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(DOCDIR) 2>/dev/null

clean:
	rm -rf build

.PHONY: all deps check test demo install uninstall clean valgrind fuzz \
	bench bench-quick bench-render bench-tools

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
