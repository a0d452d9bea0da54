# printgate - keeps marketing collateral from going to print before sales
# has reviewed it.
#
#   make                 build/printgated, build/printgatectl, the hook
#   make check           install missing packages, build, run every test
#   make SAN=address,undefined check   the same under sanitizers
#   make demo            install missing packages, build, walk through it
#   make install         PREFIX (/usr/local), DESTDIR
#
# The source list below is the architecture: one role a file.

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
LIBEXECDIR ?= $(PREFIX)/libexec/printgate
SYSCONFDIR ?= /etc
DOCDIR     ?= $(PREFIX)/share/doc/printgate

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

# shared code: daemon/*.c, one role a file
CORE = util log config verify repo policy ledger review gate outbox notify \
       watch engine notice slack mattermost teams webhook http answer \
       decide inbound
CORE_OBJS = $(CORE:%=$(BUILD)/obj/%.o)

PROGS = $(BUILD)/printgated $(BUILD)/printgatectl $(BUILD)/printgate-update

UNIT = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
TOOLS = $(BUILD)/tests/receiver $(BUILD)/tests/notify-socket

all: $(PROGS)

$(BUILD)/obj/%.o: daemon/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/obj/hook-update.o: hooks/update.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/libprintgate.a: $(CORE_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/printgated: $(BUILD)/obj/printgated.o $(BUILD)/libprintgate.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/printgatectl: $(BUILD)/obj/printgatectl.o $(BUILD)/libprintgate.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/printgate-update: $(BUILD)/obj/hook-update.o $(BUILD)/libprintgate.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libprintgate.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP $(ALL_LDFLAGS) -o $@ $< \
	    $(BUILD)/libprintgate.a $(LIBS) $(shell pkg-config --libs cmocka)

# the local HTTP receiver that stands in for the chat platforms in tests
$(BUILD)/tests/receiver: tests/tools/receiver.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP $(ALL_LDFLAGS) -o $@ $< \
	    $(shell pkg-config --libs libmicrohttpd jansson) -lpthread

$(BUILD)/tests/notify-socket: tests/tools/notify-socket.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

deps:
	@sh scripts/deps.sh

# The README's test command: packages, build, every test, one summary line.
check: deps
	@$(MAKE) --no-print-directory test

test: $(PROGS) $(UNIT) $(TOOLS)
	@sh tests/run.sh $(BUILD)

demo: deps
	@$(MAKE) --no-print-directory $(PROGS) $(BUILD)/tests/receiver
	@sh scripts/demo.sh $(BUILD)

install: $(PROGS)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
	    $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(SYSCONFDIR)/printgate \
	    $(DESTDIR)$(DOCDIR)
	install -m 755 $(BUILD)/printgated $(DESTDIR)$(SBINDIR)/printgated
	install -m 755 $(BUILD)/printgatectl $(DESTDIR)$(BINDIR)/printgatectl
	install -m 755 $(BUILD)/printgate-update \
	    $(DESTDIR)$(LIBEXECDIR)/printgate-update
	install -m 644 conf/printgate.conf \
	    $(DESTDIR)$(DOCDIR)/printgate.conf.example
	install -m 644 README.md $(DESTDIR)$(DOCDIR)/README.md

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/printgated $(DESTDIR)$(BINDIR)/printgatectl \
	    $(DESTDIR)$(LIBEXECDIR)/printgate-update \
	    $(DESTDIR)$(DOCDIR)/printgate.conf.example \
	    $(DESTDIR)$(DOCDIR)/README.md
	-rmdir $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(DOCDIR) 2>/dev/null

clean:
	rm -rf build

.PHONY: all deps check test demo install uninstall clean

-include $(wildcard $(BUILD)/obj/*.d $(BUILD)/tests/*.d)
