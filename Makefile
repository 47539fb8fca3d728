# sbx - sandbox shims for the build tools an AI coding agent runs.
.SUFFIXES:
SHELL = /bin/bash

VERSION = 0.1.0
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share
SHIMDIR ?= $(LIBDIR)/sbx/shims
BUILD ?= build

CFLAGS ?= -O2 -g
WERROR ?= -Werror
PKG_CONFIG ?= pkg-config

# HOST is the machine we build on, OS the backend we build (the same but
# for the seatbelt test build, which runs the macOS backend on Linux).
HOST := $(shell uname -s | tr '[:upper:]' '[:lower:]')
OS ?= $(HOST)

# Static on Linux: each shared library costs ~70 us per exec (bench/).
STATIC_linux = -static
STATIC ?= $(STATIC_$(HOST))
# No libbsd: the musl build (the default) has none, and what sbx would take
# from it (strlcpy, strtonum) would need a second code path for musl.
HOST_CFLAGS_linux = $$($(PKG_CONFIG) --cflags libmd)
HOST_LIBS_linux = $$($(PKG_CONFIG) --libs $(STATIC:-static=--static) libmd)

# musl: the static build links musl when musl-gcc is there (Debian's
# musl-tools) and CC was not chosen: glibc's start-up CPU detection costs
# about 1 ms per exec on a VM where CPUID traps, musl's nothing (bench/).
# LIBC=glibc forces glibc. No libmd is built for musl: SHA-256
# is sbx's own then (shim/sha256.c, checked against FIPS 180-4's vectors),
# and the kernel's headers are borrowed from the system.
MUSL_GCC := $(shell command -v musl-gcc 2>/dev/null)
ifndef LIBC
LIBC := $(if $(and $(MUSL_GCC),$(filter default,$(origin CC)),$(STATIC),$(filter linux,$(HOST))),musl,glibc)
endif
GEN_CC := $(CC)
ifeq ($(LIBC),musl)
CC := $(MUSL_GCC)
MULTIARCH := $(shell cc -print-multiarch 2>/dev/null)
HOST_CFLAGS_linux = -DSBX_OWN_SHA256 -isystem $(BUILD)/musl-include
HOST_LIBS_linux =
GEN_musl = $(BUILD)/musl-include/.stamp
endif

# Project flags stay even when the user sets CFLAGS.
SBX_CFLAGS = -std=gnu11 -Wall -Wextra $(WERROR) -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral -Wimplicit-fallthrough \
	-D_GNU_SOURCE -DSBX_VERSION='"$(VERSION)"' -DSBX_LIBC='"$(LIBC)"' \
	-I$(BUILD)/gen -Ishim \
	$(HOST_CFLAGS_$(HOST)) $(OS_CFLAGS_$(OS)) $(SBX_TEST_CFLAGS)
# The macOS backend's proxy listens on this machine's loopback and is
# reached through a socket file (no network namespaces there): proxy.c.
# SBX_OS_DARWIN: the macOS defaults (policy-finish.c: hidden paths;
# policy.c: macos- keys).
OS_CFLAGS_darwin = -DSBX_PROXY_FILE -DSBX_OS_DARWIN
SBX_LIBS = $(HOST_LIBS_$(HOST))

OBJS = $(BUILD)/util.o $(BUILD)/deps.o $(BUILD)/pcache.o $(BUILD)/sha256.o $(BUILD)/rcfile.o $(BUILD)/resolve.o $(BUILD)/trust.o \
	$(BUILD)/policy.o $(BUILD)/policy-finish.o $(BUILD)/policy-effects.o \
	$(BUILD)/cli.o $(BUILD)/tool.o $(BUILD)/seatbelt.o $(BUILD)/integrate.o \
	$(BUILD)/session.o $(BUILD)/check.o $(BUILD)/proxy.o $(BUILD)/log.o \
	$(BUILD)/sandbox-$(OS).o $(OBJS_$(OS)) $(OBJS_$(LIBC))
# musl: malloc from a static arena first (shim/arena-musl.c)
OBJS_musl = $(BUILD)/arena-musl.o
OBJS_linux = $(BUILD)/mountns-linux.o $(BUILD)/session-linux.o \
	$(BUILD)/leftovers-linux.o
HDRS = shim/*.h
GEN = $(BUILD)/gen/policies.h $(BUILD)/gen/wrappers.h $(GEN_$(OS)) $(GEN_$(LIBC))
GEN_linux = $(BUILD)/gen/seccomp-bpf.h

# The tools that get shims: the sections of wrappers/defaults, as sbx's
# own parser reads them (rc_sections, through shim/sections-gen.c).
TOOLS = $$(cat $(BUILD)/gen/tools)

UNIT = $(BUILD)/tests/rcfile.t $(BUILD)/tests/resolve.t \
	$(BUILD)/tests/policy.t $(BUILD)/tests/util.t \
	$(BUILD)/tests/landlock.t $(BUILD)/tests/seatbelt.t \
	$(BUILD)/tests/doctor.t $(BUILD)/tests/caps.t $(BUILD)/tests/keys.t \
	$(BUILD)/tests/arena.t

all: $(BUILD)/sbx

$(BUILD)/sbx: $(BUILD)/main.o $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) $(STATIC) -o $@ $(BUILD)/main.o $(OBJS) $(SBX_LIBS)

$(BUILD)/%.o: shim/%.c $(HDRS) $(GEN) Makefile
	@mkdir -p $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SBX_CFLAGS) -c -o $@ $<

# policies/*.sbpl become C strings: the profile text is in the binary.
$(BUILD)/gen/policies.h: policies/base.sbpl policies/network.sbpl \
		policies/loopback.sbpl policies/proxy.sbpl Makefile
	@mkdir -p $(BUILD)/gen
	{ echo '/* Generated from policies/ at build time: do not edit. */'; \
	  for f in base network loopback proxy; do \
		echo "static const char sbpl_$$f[] ="; \
		sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/	"/' -e 's/$$/\\n"/' \
			policies/$$f.sbpl; \
		echo ';'; \
	  done; } >$@.tmp && mv $@.tmp $@

# wrappers/defaults too: the tools that get shims and their defaults.
$(BUILD)/gen/wrappers.h: wrappers/defaults Makefile
	@mkdir -p $(BUILD)/gen
	{ echo '/* Generated from wrappers/defaults at build time: do not edit. */'; \
	  echo 'static const char wrappers_defaults[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/	"/' -e 's/$$/\\n"/' \
		wrappers/defaults; \
	  echo ';'; } >$@.tmp && mv $@.tmp $@

# The seccomp filters are compiled here, once, by libseccomp: sbx itself
# installs the ready BPF program and never loads libseccomp.
$(BUILD)/seccomp-gen: shim/seccomp-gen.c shim/seccomp-mark.h Makefile
	@mkdir -p $(BUILD)
	$(GEN_CC) $(CFLAGS) $(SBX_CFLAGS) -Wno-missing-field-initializers \
		-o $@ shim/seccomp-gen.c \
		$$($(PKG_CONFIG) --cflags --libs libseccomp)
$(BUILD)/gen/seccomp-bpf.h: $(BUILD)/seccomp-gen
	@mkdir -p $(BUILD)/gen
	$(BUILD)/seccomp-gen >$@.tmp && mv $@.tmp $@

# A helper for this machine, never installed: the section names of a config
# file, read by rcfile.c, for make install's list of tools.
$(BUILD)/sections-gen: shim/sections-gen.c shim/rcfile.c shim/rcfile.h shim/deps.c shim/deps.h shim/sha256.c \
		shim/util.c shim/util.h Makefile
	@mkdir -p $(BUILD)
	$(GEN_CC) $(CFLAGS) $(SBX_CFLAGS) -o $@ shim/sections-gen.c \
		shim/rcfile.c shim/util.c shim/deps.c shim/sha256.c
$(BUILD)/gen/tools: wrappers/defaults $(BUILD)/sections-gen
	@mkdir -p $(BUILD)/gen
	$(BUILD)/sections-gen wrappers/defaults >$@.tmp && mv $@.tmp $@

$(BUILD)/musl-include/.stamp:
	@mkdir -p $(@D)
	ln -sfn /usr/include/linux $(@D)/linux
	ln -sfn /usr/include/asm-generic $(@D)/asm-generic
	ln -sfn /usr/include/$(MULTIARCH)/asm $(@D)/asm
	touch $@

# Unit tests: TAP programs linked against the modules (not main.c).
$(BUILD)/tests/%.t: tests/unit/%.c tests/unit/*.h $(OBJS)
	@mkdir -p $(BUILD)/tests
	$(CC) $(CFLAGS) $(SBX_CFLAGS) -Itests/unit $(STATIC) -o $@ $< $(OBJS) $(SBX_LIBS)

unit: $(UNIT)

# Test build only, never installed: the macOS backend on Linux, exec'ing a
# fake sandbox-exec that records its argv and environment.
SEATBELT_BUILD = $(BUILD)-seatbelt
seatbelt-test:
	$(MAKE) BUILD=$(SEATBELT_BUILD) OS=darwin CFLAGS="$(CFLAGS)" \
		SBX_TEST_CFLAGS='-DSBX_SANDBOX_EXEC=\"$(CURDIR)/tests/fake-sandbox-exec\" -DSBX_FAKE_SANDBOX_CHECK' \
		$(SEATBELT_BUILD)/sbx

# One prove run, one summary: the unit tests and the bats suites.
check: $(BUILD)/sbx $(UNIT) seatbelt-test
	SBX=$(CURDIR)/$(BUILD)/sbx SBX_SEATBELT=$(CURDIR)/$(SEATBELT_BUILD)/sbx \
		prove -e tests/tap-run $(PROVE_FLAGS) $(UNIT) tests/bats/*.bats

# Security-relevant mutations, each of which some test must catch: a few
# minutes, so not part of check; run as root (tests/mutants.sh).
mutants:
	tests/mutants.sh

# Refreshes the golden Seatbelt profiles under tests/golden/.
golden: $(BUILD)/tests/seatbelt.t
	SBX_UPDATE_GOLDEN=1 $(BUILD)/tests/seatbelt.t >/dev/null

ASAN_CFLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
check-asan:
	$(MAKE) BUILD=build-asan STATIC= CFLAGS="$(ASAN_CFLAGS)" check

# The AppArmor profile (packaging/apparmor/sbx) for BINDIR's sbx. Outside
# /usr/bin it is named after its folder, so that a package's profile and a
# source install's do not replace each other.
APPARMOR_NAME = $(if $(filter /usr/bin,$(BINDIR)),sbx,sbx$(subst /,-,$(BINDIR)))

# Each file is renamed into place, never rewritten: a session that runs
# while sbx is upgraded execs either the old binary or the new one, and a
# shim is never missing (a PATH walk would then find the bare tool).
install: $(BUILD)/sbx $(BUILD)/gen/tools
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(SHIMDIR) $(DESTDIR)$(LIBDIR)/sbx/real \
		$(DESTDIR)$(DATADIR)/sbx/apparmor \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(DATADIR)/bash-completion/completions \
		$(DESTDIR)$(DATADIR)/zsh/site-functions \
		$(DESTDIR)$(DATADIR)/fish/vendor_completions.d
	cp -f $(BUILD)/sbx $(DESTDIR)$(BINDIR)/sbx.tmp
	chmod 755 $(DESTDIR)$(BINDIR)/sbx.tmp
	mv -f $(DESTDIR)$(BINDIR)/sbx.tmp $(DESTDIR)$(BINDIR)/sbx
	for t in $(TOOLS); do \
		ln -sf $(BINDIR)/sbx $(DESTDIR)$(SHIMDIR)/.$$t.tmp && \
		mv -f $(DESTDIR)$(SHIMDIR)/.$$t.tmp $(DESTDIR)$(SHIMDIR)/$$t || exit 1; done
	cp -f share/sbx/env.sh $(DESTDIR)$(DATADIR)/sbx/env.sh.tmp
	mv -f $(DESTDIR)$(DATADIR)/sbx/env.sh.tmp $(DESTDIR)$(DATADIR)/sbx/env.sh
	sed -e 's|/usr/bin/sbx|$(BINDIR)/sbx|' \
		-e 's|^profile sbx |profile $(APPARMOR_NAME) |' \
		-e 's|<local/sbx>|<local/$(APPARMOR_NAME)>|' packaging/apparmor/sbx \
		>$(DESTDIR)$(DATADIR)/sbx/apparmor/$(APPARMOR_NAME)
	chmod 644 $(DESTDIR)$(DATADIR)/sbx/apparmor/$(APPARMOR_NAME)
	cp -f share/man/sbx.1 $(DESTDIR)$(MANDIR)/man1/sbx.1
	cp -f share/man/sbxrc.5 $(DESTDIR)$(MANDIR)/man5/sbxrc.5
	cp -f share/completions/sbx.bash \
		$(DESTDIR)$(DATADIR)/bash-completion/completions/sbx
	cp -f share/completions/_sbx $(DESTDIR)$(DATADIR)/zsh/site-functions/_sbx
	cp -f share/completions/sbx.fish \
		$(DESTDIR)$(DATADIR)/fish/vendor_completions.d/sbx.fish

uninstall: $(BUILD)/gen/tools
	for t in $(TOOLS); do rm -f $(DESTDIR)$(SHIMDIR)/$$t; done
	-rmdir $(DESTDIR)$(SHIMDIR) $(DESTDIR)$(LIBDIR)/sbx/real $(DESTDIR)$(LIBDIR)/sbx
	rm -f $(DESTDIR)$(DATADIR)/sbx/env.sh \
		$(DESTDIR)$(DATADIR)/sbx/apparmor/$(APPARMOR_NAME)
	-rmdir $(DESTDIR)$(DATADIR)/sbx/apparmor $(DESTDIR)$(DATADIR)/sbx
	rm -f $(DESTDIR)$(BINDIR)/sbx $(DESTDIR)$(MANDIR)/man1/sbx.1 \
		$(DESTDIR)$(MANDIR)/man5/sbxrc.5 \
		$(DESTDIR)$(DATADIR)/bash-completion/completions/sbx \
		$(DESTDIR)$(DATADIR)/zsh/site-functions/_sbx \
		$(DESTDIR)$(DATADIR)/fish/vendor_completions.d/sbx.fish

# A release: sbx-VERSION.tar.gz of the files git tracks (as they are in the
# work tree) under sbx-VERSION/, the same bytes every time: sorted names,
# one time on every file (SOURCE_DATE_EPOCH, else the last commit's), owner
# root, no name or time in the gzip header. Then its SHA-256 (for
# sha256sum -c) and the Homebrew formula for it, to be downloaded from
# DIST_URL (the release's address; by default the file made here).
DISTDIR ?= .
DIST = sbx-$(VERSION)
DIST_URL ?= file://$(abspath $(DISTDIR))/$(DIST).tar.gz
dist:
	@git rev-parse --git-dir >/dev/null || \
		{ echo "make dist: needs a git checkout" >&2; exit 1; }
	mkdir -p $(DISTDIR)
	set -o pipefail; epoch=$${SOURCE_DATE_EPOCH:-$$(git log -1 --format=%ct)} && \
	git ls-files -z | LC_ALL=C tar --null -T - --sort=name --format=gnu \
		--mtime=@$$epoch --owner=0 --group=0 --numeric-owner \
		--mode=go-w,a+rX --transform='s,^,$(DIST)/,S' -cf - | \
		gzip -9n >$(DISTDIR)/$(DIST).tar.gz.tmp
	mv -f $(DISTDIR)/$(DIST).tar.gz.tmp $(DISTDIR)/$(DIST).tar.gz
	cd $(DISTDIR) && sha256sum $(DIST).tar.gz >$(DIST).tar.gz.sha256
	sed -e 's|@URL@|$(DIST_URL)|' \
		-e "s|@SHA256@|$$(cut -d' ' -f1 $(DISTDIR)/$(DIST).tar.gz.sha256)|" \
		packaging/homebrew/sbx.rb >$(DISTDIR)/$(DIST).rb

# Fuzzing with libFuzzer (clang): each harness for FUZZ_SECONDS, from the
# seed corpus in tests/fuzz/corpus (copied: the run's findings stay in
# build-fuzz). Any crash, leak, hang or failed check fails the target.
FUZZ_SECONDS ?= 60
FUZZ_BUILD = build-fuzz
FUZZERS = rcfile seatbelt resolve log
FUZZ_FLAGS = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all
fuzz-build:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=clang STATIC= LIBC=glibc \
		CFLAGS="$(FUZZ_FLAGS) -fsanitize=fuzzer-no-link" fuzz-link
# (run by fuzz-build, with its variables: clang, glibc, the fuzz folder)
fuzz-link: $(OBJS)
	for f in $(FUZZERS); do \
		clang $(FUZZ_FLAGS) -fsanitize=fuzzer $(SBX_CFLAGS) \
			-o $(BUILD)/fuzz_$$f tests/fuzz/fuzz_$$f.c \
			$(OBJS) $(SBX_LIBS) || exit 1; done
fuzz: fuzz-build
	for f in $(FUZZERS); do \
		rm -rf $(FUZZ_BUILD)/corpus-$$f && mkdir -p $(FUZZ_BUILD)/corpus-$$f && \
		cp tests/fuzz/corpus/$$f/* $(FUZZ_BUILD)/corpus-$$f/ && \
		(cd $(FUZZ_BUILD) && ./fuzz_$$f -max_total_time=$(FUZZ_SECONDS) \
			-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
			corpus-$$f) 2>&1 | tee $(FUZZ_BUILD)/fuzz_$$f.log | \
			grep -E '^(stat::number_of_executed_units|==[0-9]+==|SUMMARY|Done)' ; \
		test $${PIPESTATUS[0]} -eq 0 || exit 1; done

# Coverage of shim/ (the Linux build) over the unit and bats tests. The
# counters go under $(COV_DIR) (GCOV_PREFIX): /tmp is writable inside
# every workspace-write sandbox, the build folder is not (a read-only
# profile run writes none: GCOV_ERROR_FILE keeps gcov quiet about it).
COV_BUILD = build-cov
COV_DIR = /tmp/sbx-gcov
COV_MIN = 90
COV_USER ?= sbx-ci
coverage:
	rm -rf $(COV_BUILD) $(COV_BUILD)-seatbelt $(COV_DIR)
	GCOV_PREFIX=$(COV_DIR) GCOV_ERROR_FILE=/dev/null \
		$(MAKE) BUILD=$(COV_BUILD) STATIC= \
		CFLAGS="-O0 -g --coverage -fprofile-update=atomic" \
		SBX_TEST_CFLAGS=-DSBX_COVERAGE check
	@# The user-namespace path: the suites that reach it, as COV_USER.
	if [ "$$(id -u)" = 0 ] && id $(COV_USER) >/dev/null 2>&1; then \
		d=$$(mktemp -d /var/tmp/sbx-cov.XXXXXX) && \
		cp -r tests $(COV_BUILD)/sbx $$d/ && chmod -R a+rX $$d && \
		chmod -R a+rwX $(COV_DIR) && \
		runuser -u $(COV_USER) -- env -i PATH=/usr/local/bin:/usr/bin:/bin \
			HOME=/tmp LANG=C.UTF-8 SBX=$$d/sbx GCOV_PREFIX=$(COV_DIR) \
			GCOV_ERROR_FILE=/dev/null bats --tap $$d/tests/bats/core.bats \
			$$d/tests/bats/linux.bats $$d/tests/bats/trust.bats \
			$$d/tests/bats/share.bats \
			| tail -n 3; \
		rc=$${PIPESTATUS[0]}; rm -rf $$d; [ $$rc = 0 ]; fi
	mkdir -p $(COV_DIR)$(CURDIR)/$(COV_BUILD)
	cp $(COV_BUILD)/*.gcno $(COV_DIR)$(CURDIR)/$(COV_BUILD)/
	@# (the Linux build's data only: the seatbelt test build compiles some
	@# files with other #ifdefs, and gcovr cannot merge the two)
	gcovr --root . --object-directory $(COV_DIR)$(CURDIR)/$(COV_BUILD) \
		--filter 'shim/' --exclude 'shim/seccomp-gen.c' \
		--exclude 'shim/sections-gen.c' \
		--exclude 'shim/sandbox-darwin.c' \
		--print-summary --fail-under-line $(COV_MIN) \
		--txt $(COV_BUILD)/coverage.txt \
		$(COV_DIR)$(CURDIR)/$(COV_BUILD)
	cat $(COV_BUILD)/coverage.txt

# Static analysis, as CI runs it.
LINT_CFLAGS = -std=gnu11 -D_GNU_SOURCE -Ishim -I$(BUILD)/gen \
	$$($(PKG_CONFIG) --cflags libmd libseccomp)
SHELL_SCRIPTS = install.sh .ci/run bench/*.sh tests/tap-run tests/fake-sandbox-exec tests/mutants.sh \
	share/sbx/env.sh debian/postinst debian/postrm
lint: $(BUILD)/sbx
	cppcheck --enable=warning,portability --error-exitcode=1 --quiet \
		--inline-suppr --suppress=missingIncludeSystem \
		-D__linux__ -D_GNU_SOURCE -Ishim -I$(BUILD)/gen shim/
	for f in shim/*.c; do \
		clang-tidy --quiet $$f -- $(LINT_CFLAGS) || exit 1; done
	shellcheck $(SHELL_SCRIPTS)
	shellcheck -s bash tests/bats/test_helper.bash share/completions/sbx.bash

format:
	clang-format -i shim/*.c shim/*.h tests/unit/*.c tests/unit/*.h tests/fuzz/*.c

clean:
	rm -rf build build-*

.PHONY: all unit check check-asan mutants seatbelt-test golden install uninstall dist fuzz-link \
	lint fuzz fuzz-build coverage format clean
