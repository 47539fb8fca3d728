# sbx - sandbox shims for the build tools an AI coding agent runs.
.SUFFIXES:

VERSION = 0.1.0
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
MANDIR ?= $(PREFIX)/share/man
SHIMDIR ?= $(LIBDIR)/sbx/shims
BUILD ?= build

CFLAGS ?= -O2 -g
# Static by default: each shared library costs ~70 us per exec (bench/).
STATIC ?= -static
WERROR ?= -Werror
PKG_CONFIG ?= pkg-config

OS != uname -s | tr '[:upper:]' '[:lower:]'

# Project flags stay even when the user sets CFLAGS.
SBX_CFLAGS = -std=gnu11 -Wall -Wextra $(WERROR) -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral \
	-D_GNU_SOURCE -DSBX_VERSION='"$(VERSION)"' -I$(BUILD)/gen -Ishim \
	$$($(PKG_CONFIG) --cflags libbsd-overlay libmd)
SBX_LIBS = $$($(PKG_CONFIG) --libs $(STATIC:-static=--static) libbsd-overlay libmd)

OBJS = $(BUILD)/util.o $(BUILD)/rcfile.o $(BUILD)/resolve.o $(BUILD)/trust.o \
	$(BUILD)/policy.o $(BUILD)/cli.o $(BUILD)/sandbox-$(OS).o \
	$(OBJS_$(OS))
OBJS_linux = $(BUILD)/mountns-linux.o
HDRS = shim/util.h shim/rcfile.h shim/resolve.h shim/policy.h shim/cli.h shim/trust.h \
	shim/sandbox.h shim/landlock.h shim/mountns.h
GEN_linux = $(BUILD)/gen/seccomp-bpf.h
GEN = $(GEN_$(OS))

UNIT = $(BUILD)/tests/rcfile.t $(BUILD)/tests/resolve.t \
	$(BUILD)/tests/policy.t $(BUILD)/tests/util.t \
	$(BUILD)/tests/landlock.t

all: $(BUILD)/sbx

$(BUILD)/sbx: $(BUILD)/main.o $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) $(STATIC) -o $@ $(BUILD)/main.o $(OBJS) $(SBX_LIBS)

$(BUILD)/main.o $(OBJS): $(HDRS) $(GEN) Makefile
$(BUILD)/main.o: shim/main.c
	@mkdir -p $(BUILD)
	$(CC) $(CFLAGS) $(SBX_CFLAGS) -c -o $@ shim/main.c
$(BUILD)/util.o: shim/util.c
	@mkdir -p $(BUILD)
	$(CC) $(CFLAGS) $(SBX_CFLAGS) -c -o $@ shim/util.c
$(BUILD)/rcfile.o: shim/rcfile.c
	@mkdir -p $(BUILD)
	$(CC) $(CFLAGS) $(SBX_CFLAGS) -c -o $@ shim/rcfile.c
$(BUILD)/resolve.o: shim/resolve.c
	@mkdir -p $(BUILD)
	$(CC) $(CFLAGS) $(SBX_CFLAGS) -c -o $@ shim/resolve.c
$(BUILD)/trust.o: shim/trust.c
	@mkdir -p $(BUILD)
	$(CC) $(CFLAGS) $(SBX_CFLAGS) -c -o $@ shim/trust.c
$(BUILD)/policy.o: shim/policy.c
	@mkdir -p $(BUILD)
	$(CC) $(CFLAGS) $(SBX_CFLAGS) -c -o $@ shim/policy.c
$(BUILD)/cli.o: shim/cli.c
	@mkdir -p $(BUILD)
	$(CC) $(CFLAGS) $(SBX_CFLAGS) -c -o $@ shim/cli.c
$(BUILD)/sandbox-$(OS).o: shim/sandbox-$(OS).c
	@mkdir -p $(BUILD)
	$(CC) $(CFLAGS) $(SBX_CFLAGS) -c -o $@ shim/sandbox-$(OS).c

$(BUILD)/mountns-linux.o: shim/mountns-linux.c
	@mkdir -p $(BUILD)
	$(CC) $(CFLAGS) $(SBX_CFLAGS) -c -o $@ shim/mountns-linux.c

# The seccomp filters are compiled here, once, by libseccomp: sbx itself
# installs the ready BPF program and never loads libseccomp.
$(BUILD)/seccomp-gen: shim/seccomp-gen.c Makefile
	@mkdir -p $(BUILD)
	$(CC) $(CFLAGS) $(SBX_CFLAGS) -Wno-missing-field-initializers \
		-o $@ shim/seccomp-gen.c \
		$$($(PKG_CONFIG) --cflags --libs libseccomp)
$(BUILD)/gen/seccomp-bpf.h: $(BUILD)/seccomp-gen
	@mkdir -p $(BUILD)/gen
	$(BUILD)/seccomp-gen > $@.tmp && mv $@.tmp $@

# Unit tests: TAP programs linked against the modules (not main.c).
$(BUILD)/tests/%.t: tests/unit/%.c tests/unit/tap.h $(OBJS)
	@mkdir -p $(BUILD)/tests
	$(CC) $(CFLAGS) $(SBX_CFLAGS) -Itests/unit -o $@ $< $(OBJS) $(SBX_LIBS)

unit: $(UNIT)

# One prove run, one summary: the unit tests and the bats suites.
check: $(BUILD)/sbx $(UNIT)
	SBX=$$(pwd)/$(BUILD)/sbx prove -e tests/tap-run $(PROVE_FLAGS) \
		$(UNIT) tests/bats/*.bats

ASAN_CFLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
check-asan:
	$(MAKE) BUILD=build-asan STATIC= CFLAGS="$(ASAN_CFLAGS)" check

install: $(BUILD)/sbx
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(SHIMDIR)
	cp -f $(BUILD)/sbx $(DESTDIR)$(BINDIR)/sbx.tmp
	chmod 755 $(DESTDIR)$(BINDIR)/sbx.tmp
	mv -f $(DESTDIR)$(BINDIR)/sbx.tmp $(DESTDIR)$(BINDIR)/sbx
	for t in $$(sed -e 's/#.*//' -e '/^[ 	]*$$/d' wrappers/tools); do \
		ln -sf $(BINDIR)/sbx $(DESTDIR)$(SHIMDIR)/$$t; done

uninstall:
	for t in $$(sed -e 's/#.*//' -e '/^[ 	]*$$/d' wrappers/tools); do \
		rm -f $(DESTDIR)$(SHIMDIR)/$$t; done
	-rmdir $(DESTDIR)$(SHIMDIR) $(DESTDIR)$(LIBDIR)/sbx
	rm -f $(DESTDIR)$(BINDIR)/sbx

format:
	clang-format -i shim/*.c shim/*.h tests/unit/*.c tests/unit/*.h

clean:
	rm -rf build build-asan

.PHONY: all unit check check-asan install uninstall format clean
