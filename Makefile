# hvmdm build. `make` builds build/hvmdm; `make check` builds everything with
# AddressSanitizer + UndefinedBehaviorSanitizer and runs the tests through
# prove (cmocka prints TAP); `make run` runs the main job.

CC ?= cc
VERSION := 0.3.0-dev
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -Wvla
BASE_CFLAGS := -std=c11 -iquote . -D_DEFAULT_SOURCE -DHVMDM_VERSION='"$(VERSION)"' -g $(WARN)
RELEASE_CFLAGS := $(BASE_CFLAGS) -O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ASAN_CFLAGS := $(BASE_CFLAGS) -O1 $(SAN)

# The Xen libraries the Xen accelerator (xen/) links against, from Debian's
# libxen-dev; resolved here so a machine without them fails at build time.
XEN_PKGS := xendevicemodel xenforeignmemory xenevtchn xenstore xentoolcore xencontrol libseccomp
XEN_CFLAGS = $(shell pkg-config --cflags $(XEN_PKGS))
XEN_LIBS = $(shell pkg-config --libs $(XEN_PKGS))
# LibVNCServer serves the display (ui/vnc.c), libpng writes screendumps (ui/screendump.c);
# libxkbcommon names the keysyms of QEMU's keymap files.
UI_PKGS := libvncserver xkbcommon libpng
LIBS = -ljansson $(shell pkg-config --libs $(UI_PKGS) 2>/dev/null)

# The pc machine's DSDT: ASL compiled by iasl (warnings are errors), its AML a C array.
B := build
DSDT_C := $(B)/gen/dsdt_aml.c
CORE_SRCS := $(wildcard hw/*/*.c) $(wildcard backends/*.c) $(wildcard ui/*.c) $(wildcard state/*.c) $(wildcard state/dev/*.c) $(wildcard kvm/*.c) vm/options.c vm/accel_none.c vm/hvmloader_replay.c vm/migration.c vm/qmp.c xen/ioreq.c xen/mapcache.c $(DSDT_C)
MAIN_SRC := vm/main.c
# The Xen accelerator links only into the hvmdm binary (tests and tools need no Xen libraries).
XEN_SRCS := xen/xen.c xen/sandbox.c xen/ctrl.c
TEST_SRCS := $(wildcard tests/unit/test_*.c)
TEST_SUPPORT := tests/unit/accel_double.c

REL_OBJS := $(CORE_SRCS:%.c=$(B)/rel/%.o)
ASAN_OBJS := $(CORE_SRCS:%.c=$(B)/asan/%.o)
ASAN_SUPPORT_OBJS := $(TEST_SUPPORT:%.c=$(B)/asan/%.o)
TEST_BINS := $(TEST_SRCS:tests/unit/%.c=$(B)/asan/tests/%)

# libFuzzer targets (clang); `make fuzz FUZZ_SECONDS=1800` for a long run.
FUZZ_CC := clang
FUZZ_CFLAGS := -std=c11 -iquote . -D_DEFAULT_SOURCE -g -O1 $(WARN) -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := $(B)/fuzz/fuzz_io $(B)/fuzz/fuzz_stream $(B)/fuzz/fuzz_ioreq $(B)/fuzz/fuzz_ide $(B)/fuzz/fuzz_vga $(B)/fuzz/fuzz_vnc $(B)/fuzz/fuzz_cirrus_blt $(B)/fuzz/fuzz_cirrus $(B)/fuzz/fuzz_mapcache $(B)/fuzz/fuzz_rtl8139 $(B)/fuzz/fuzz_e1000 $(B)/fuzz/fuzz_uhci $(B)/fuzz/fuzz_xlsave

.PHONY: all deps run run-kvm selfcheck compat check clean xen-libs fuzz corpus guests bench e2e kvm-nic kvm-usb install install-check uninstall deb
.SECONDARY:
all: $(B)/hvmdm $(B)/hvmdm-stream

deps:
	@tools/setup-debian.sh

$(B)/gen/dsdt.aml: firmware/acpi/dsdt.asl
	@mkdir -p $(dir $@)
	@echo "  IASL    $<"
	@command -v iasl >/dev/null || { echo "iasl missing: run tools/setup-debian.sh (acpica-tools)" >&2; exit 1; }
	@iasl -we -p $(basename $@) $< >$(basename $@).log || { cat $(basename $@).log >&2; exit 1; }

$(DSDT_C): $(B)/gen/dsdt.aml
	@{ echo "/* Generated from firmware/acpi/dsdt.asl by the Makefile; do not edit. */"; \
	   echo "const unsigned char hvmdm_dsdt_aml[] = {"; \
	   od -An -v -tx1 $< | sed -e 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g' -e 's/^/\t/'; \
	   echo "};"; \
	   echo "const unsigned int hvmdm_dsdt_aml_len = sizeof(hvmdm_dsdt_aml);"; } >$@.tmp && mv $@.tmp $@

xen-libs:
	@pkg-config --exists $(XEN_PKGS) || { echo "Xen libraries missing: run tools/setup-debian.sh" >&2; exit 1; }

# libxenctrl's header is GNU C: only the file that includes it is built as gnu11.
$(B)/rel/xen/ctrl.o: RELEASE_CFLAGS += -std=gnu11
$(B)/asan/xen/ctrl.o: ASAN_CFLAGS += -std=gnu11

# Each object depends on the headers it includes (-MMD writes the list, -MP
# keeps a removed header from breaking the build).
DEPFLAGS = -MMD -MP

$(B)/rel/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(RELEASE_CFLAGS) $(XEN_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(B)/asan/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC/SAN  $<"
	@$(CC) $(ASAN_CFLAGS) $(XEN_CFLAGS) $(DEPFLAGS) -c $< -o $@

-include $(shell find $(B) -name '*.d' 2>/dev/null)

$(B)/hvmdm: $(REL_OBJS) $(XEN_SRCS:%.c=$(B)/rel/%.o) $(B)/rel/vm/main.o | xen-libs
	@echo "  LD      $@"
	@$(CC) $(RELEASE_CFLAGS) $(LDFLAGS) $^ $(LIBS) $(XEN_LIBS) -lpthread -o $@

$(B)/hvmdm-stream: $(REL_OBJS) $(B)/rel/tools/hvmdm-stream.o
	@echo "  LD      $@"
	@$(CC) $(RELEASE_CFLAGS) $(LDFLAGS) $^ $(LIBS) -lpthread -o $@

$(B)/asan/hvmdm-stream: $(ASAN_OBJS) $(B)/asan/tools/hvmdm-stream.o
	@echo "  LD/SAN  $@"
	@$(CC) $(ASAN_CFLAGS) $^ $(LIBS) -lpthread -o $@

$(B)/asan/hvmdm: $(ASAN_OBJS) $(XEN_SRCS:%.c=$(B)/asan/%.o) $(B)/asan/vm/main.o | xen-libs
	@echo "  LD/SAN  $@"
	@$(CC) $(ASAN_CFLAGS) $^ $(LIBS) $(XEN_LIBS) -lpthread -o $@

$(B)/asan/tests/%: $(B)/asan/tests/unit/%.o $(ASAN_OBJS) $(ASAN_SUPPORT_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD/SAN  $@"
	@$(CC) $(ASAN_CFLAGS) $^ -lcmocka $(LIBS) $(TEST_LIBS) -lpthread -o $@

# The VNC test talks to the server as a real client does.
$(B)/asan/tests/test_vnc: TEST_LIBS = $(shell pkg-config --libs libvncclient)

$(B)/fuzz/%: tests/fuzz/%.c $(CORE_SRCS) $(wildcard hw/*/*.h backends/*.h ui/*.h vm/*.h state/*.h state/dev/*.h kvm/*.h)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) $< $(CORE_SRCS) $(LIBS) -lpthread -o $@

# The blitter's fuzzer checks the engine against the unit tests' reference.
$(B)/fuzz/fuzz_cirrus_blt: tests/unit/cirrus_blt_ref.h

# Each target for FUZZ_SECONDS, one after the other, keeping what they find in build/.
fuzz: $(FUZZ_TARGETS)
	@mkdir -p $(B)/fuzz/corpus-io $(B)/fuzz/corpus-stream
	$(B)/fuzz/fuzz_io -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $(B)/fuzz/corpus-io tests/fuzz/corpus-io
	$(B)/fuzz/fuzz_stream -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $(B)/fuzz/corpus-stream tests/streams/$(CORPUS_RELEASE) tests/streams/qemu-trad tests/streams/qemu-trad-real tests/streams/qemu-xen tests/streams/qemu-7.2-tcg
	@mkdir -p $(B)/fuzz/corpus-ioreq
	$(B)/fuzz/fuzz_ioreq -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $(B)/fuzz/corpus-ioreq tests/fuzz/corpus-ioreq
	@mkdir -p $(B)/fuzz/corpus-ide
	$(B)/fuzz/fuzz_ide -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $(B)/fuzz/corpus-ide tests/fuzz/corpus-ide
	@mkdir -p $(B)/fuzz/corpus-vga
	$(B)/fuzz/fuzz_vga -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $(B)/fuzz/corpus-vga tests/fuzz/corpus-vga
	@mkdir -p $(B)/fuzz/corpus-vnc
	$(B)/fuzz/fuzz_vnc -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $(B)/fuzz/corpus-vnc tests/fuzz/corpus-vnc
	@mkdir -p $(B)/fuzz/corpus-cirrus-blt
	$(B)/fuzz/fuzz_cirrus_blt -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $(B)/fuzz/corpus-cirrus-blt tests/fuzz/corpus-cirrus-blt
	@mkdir -p $(B)/fuzz/corpus-cirrus
	$(B)/fuzz/fuzz_cirrus -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $(B)/fuzz/corpus-cirrus tests/fuzz/corpus-cirrus
	@mkdir -p $(B)/fuzz/corpus-mapcache
	$(B)/fuzz/fuzz_mapcache -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $(B)/fuzz/corpus-mapcache tests/fuzz/corpus-mapcache
	@mkdir -p $(B)/fuzz/corpus-rtl8139
	$(B)/fuzz/fuzz_rtl8139 -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $(B)/fuzz/corpus-rtl8139 tests/fuzz/corpus-rtl8139
	@mkdir -p $(B)/fuzz/corpus-e1000
	$(B)/fuzz/fuzz_e1000 -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $(B)/fuzz/corpus-e1000 tests/fuzz/corpus-e1000
	@mkdir -p $(B)/fuzz/corpus-uhci
	$(B)/fuzz/fuzz_uhci -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $(B)/fuzz/corpus-uhci tests/fuzz/corpus-uhci
	@mkdir -p $(B)/fuzz/corpus-xlsave
	$(B)/fuzz/fuzz_xlsave -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $(B)/fuzz/corpus-xlsave tests/fuzz/corpus-xlsave

# The golden corpus of this release: only adds files that are missing. A
# corpus is cut with a release (docs/compatibility.md), never from a -dev tree.
CORPUS_RELEASE := $(VERSION)
$(B)/asan/gen_corpus: $(B)/asan/tests/tools/gen_corpus.o $(ASAN_OBJS)
	@echo "  LD/SAN  $@"
	@$(CC) $(ASAN_CFLAGS) $^ $(LIBS) -lpthread -o $@

corpus: $(B)/asan/gen_corpus
	@case "$(CORPUS_RELEASE)" in *-dev) echo "corpus: VERSION is $(CORPUS_RELEASE): a golden corpus is cut with a release (docs/compatibility.md)" >&2; exit 1 ;; esac
	@mkdir -p tests/streams/$(CORPUS_RELEASE)
	$(B)/asan/gen_corpus tests/streams/$(CORPUS_RELEASE)

# Test guests: nasm option ROMs with a fixed checksum.
GUESTS := $(patsubst firmware/guests/%.asm,$(B)/guests/%.rom,$(filter-out firmware/guests/bench_%.asm firmware/guests/linux.asm firmware/guests/disk.asm firmware/guests/cd.asm firmware/guests/rebootdisk.asm firmware/guests/tradlab.asm firmware/guests/migrate.asm firmware/guests/ioreqdisk.asm,$(wildcard firmware/guests/*.asm))) \
	$(B)/guests/linux.bzimage $(B)/guests/linux-initrd.img $(B)/guests/disk.img $(B)/guests/cd.iso $(B)/guests/rebootdisk.img $(B)/guests/tradlab.img $(B)/guests/s3disk.img $(B)/guests/migrate.img $(B)/guests/vbedisk.img $(B)/guests/cirrusdisk.img $(B)/guests/ioreqdisk.img

$(B)/romsum: tools/romsum.c
	@mkdir -p $(dir $@)
	@$(CC) $(BASE_CFLAGS) -O2 $< -o $@

$(B)/guests/%.rom: firmware/guests/%.asm firmware/guests/rom.inc $(B)/romsum
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	@nasm -f bin -i firmware/guests/ -o $@ $<
	@$(B)/romsum $@

# The stand-in kernel for direct Linux boot, and its 4096-byte initrd.
$(B)/guests/linux.bzimage: firmware/guests/linux.asm firmware/guests/rom.inc
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	@nasm -f bin -i firmware/guests/ -o $@ $<

# Boot media for the IDE guests: a 1 MiB raw disk (MBR + program) and an El Torito ISO.
$(B)/guests/disk.img: firmware/guests/disk.asm firmware/guests/rom.inc
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	@nasm -f bin -i firmware/guests/ -o $@ $<

$(B)/guests/rebootdisk.img: firmware/guests/rebootdisk.asm firmware/guests/rom.inc
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	@nasm -f bin -i firmware/guests/ -o $@ $<

# The qemu-xen-traditional captures' boot disk, for their restore on hvmdm.
$(B)/guests/tradlab.img: firmware/guests/tradlab.asm
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	@nasm -f bin -o $@ $<

$(B)/guests/migrate.img: firmware/guests/migrate.asm firmware/guests/rom.inc
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	@nasm -f bin -i firmware/guests/ -o $@ $<

# The display guest as a disk, for both device models in the real-Xen tier.
$(B)/guests/vbedisk.img: firmware/guests/vbe.asm firmware/guests/rom.inc
	@mkdir -p $(dir $@)
	@echo "  NASM    $< (disk)"
	@nasm -f bin -i firmware/guests/ -DDISK -o $@ $<

# The Cirrus display guest as a disk, for both device models in the real-Xen tier.
$(B)/guests/cirrusdisk.img: firmware/guests/cirrus.asm firmware/guests/rom.inc
	@mkdir -p $(dir $@)
	@echo "  NASM    $< (disk)"
	@nasm -f bin -i firmware/guests/ -DDISK -o $@ $<

# The ioreq round-trip guest (a disk), for both device models in the real-Xen tier.
$(B)/guests/ioreqdisk.img: firmware/guests/ioreqdisk.asm firmware/guests/rom.inc
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	@nasm -f bin -i firmware/guests/ -o $@ $<

# The S3 guest as a disk, for both device models in the real-Xen tier.
$(B)/guests/s3disk.img: firmware/guests/s3.asm firmware/guests/rom.inc
	@mkdir -p $(dir $@)
	@echo "  NASM    $< (disk)"
	@nasm -f bin -i firmware/guests/ -DDISK -o $@ $<

$(B)/guests/cd.iso: firmware/guests/cd.asm firmware/guests/rom.inc
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	@nasm -f bin -i firmware/guests/ -o $@ $<

$(B)/guests/linux-initrd.img:
	@mkdir -p $(dir $@)
	@{ printf 'HVMDMRD!'; head -c 4088 /dev/zero; } >$@

guests: $(GUESTS)

# Benchmarks (never pass/fail on timing): bench guests with COUNT in/out exits.
BENCH_COUNTS := 20000 200000 10 100 2000000
$(B)/guests/bench_pio_%.rom: firmware/guests/bench_pio.asm firmware/guests/rom.inc $(B)/romsum
	@mkdir -p $(dir $@)
	@nasm -f bin -i firmware/guests/ -DCOUNT=$* -o $@ $<
	@$(B)/romsum $@

$(B)/guests/bench_pcicfg_%.rom: firmware/guests/bench_pcicfg.asm firmware/guests/rom.inc $(B)/romsum
	@mkdir -p $(dir $@)
	@nasm -f bin -i firmware/guests/ -DCOUNT=$* -o $@ $<
	@$(B)/romsum $@

$(B)/guests/bench_mmio_%.rom: firmware/guests/bench_mmio.asm firmware/guests/rom.inc $(B)/romsum
	@mkdir -p $(dir $@)
	@nasm -f bin -i firmware/guests/ -DCOUNT=$* -o $@ $<
	@$(B)/romsum $@

$(B)/guests/bench_fill_%.rom: firmware/guests/bench_fill.asm firmware/guests/rom.inc $(B)/romsum
	@mkdir -p $(dir $@)
	@nasm -f bin -i firmware/guests/ -DFILL_MIB=$* -o $@ $<
	@$(B)/romsum $@

$(B)/bench/bare_kvm: tests/bench/bare_kvm.c
	@mkdir -p $(dir $@)
	@$(CC) $(BASE_CFLAGS) -O2 $< -o $@

$(B)/bench/bench_state: tests/bench/bench_state.c $(REL_OBJS)
	@mkdir -p $(dir $@)
	@$(CC) $(RELEASE_CFLAGS) $^ $(LIBS) -lpthread -o $@

$(B)/bench/bench_ioreq: tests/bench/bench_ioreq.c $(REL_OBJS)
	@mkdir -p $(dir $@)
	@$(CC) $(RELEASE_CFLAGS) $^ $(LIBS) -lpthread -o $@

BENCH_DEPS := $(B)/hvmdm $(B)/bench/bare_kvm $(B)/bench/bench_state $(B)/bench/bench_ioreq $(B)/guests/bench_fill_32.rom $(B)/guests/bench_fill_2.rom \
	$(foreach n,$(BENCH_COUNTS),$(foreach g,pio pcicfg mmio,$(B)/guests/bench_$(g)_$(n).rom))

bench: deps $(BENCH_DEPS)
	@B=$(B) tests/bench/bench.sh

# The guests the real-Xen tier (and the main job) hand to dom0.
E2E_GUESTS := $(B)/guests/ioreqdisk.img $(B)/guests/vbedisk.img $(B)/guests/cirrusdisk.img $(B)/guests/count.rom $(B)/guests/linux.bzimage $(B)/guests/linux-initrd.img $(B)/guests/disk.img $(B)/guests/cd.iso $(B)/guests/rebootdisk.img $(B)/guests/tradlab.img $(B)/guests/s3disk.img $(B)/guests/migrate.img

# The main job: a guest on hvmdm under real Xen -- created, its console and
# screen shown, saved, restored, going on, destroyed -- with this machine's xl
# on a dom0, else inside the e2e tier's sandbox (Xen 4.17 under QEMU TCG).
run: deps $(B)/hvmdm $(B)/hvmdm-stream $(B)/vnc-tool $(E2E_GUESTS)
	@tools/demo-xen.sh $(B)

# The cross-release matrix: each release in RELEASES against HEAD, under Xen and on KVM.
compat: deps $(B)/hvmdm $(B)/vnc-tool $(E2E_GUESTS)
	@tools/compat/run.sh $(B)

# The KVM demo (tools/demo-kvm.sh): natively where /dev/kvm works, else in the nested KVM runner.
run-kvm: deps $(B)/hvmdm $(B)/hvmdm-stream $(GUESTS)
	@if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then tools/demo-kvm.sh $(B); \
	else echo "run-kvm: no usable /dev/kvm here: the demo runs in the nested KVM runner (tests/kvm/nested.sh)"; \
		tests/kvm/nested.sh --out $(B) -- tools/demo-kvm.sh $(B); fi

# The chipset self-check of every machine profile: no accelerator needed.
selfcheck: $(B)/hvmdm
	@for p in xenfv xenfv-trad pc; do $(B)/hvmdm -machine $$p -smp 2 -serial null -selfcheck || exit 1; echo; done

check: deps $(B)/hvmdm $(B)/vnc-tool $(TEST_BINS) $(B)/asan/hvmdm $(B)/asan/hvmdm-stream $(FUZZ_TARGETS) $(GUESTS) $(BENCH_DEPS)
	@rm -rf $(B)/test-logs
	@CMOCKA_MESSAGE_OUTPUT=TAP HVMDM=$(B)/asan/hvmdm HVMDM_STREAM=$(B)/asan/hvmdm-stream FUZZ_DIR=$(B)/fuzz TAP_LOG_DIR=$(B)/test-logs \
		prove --timer --exec tests/tools/tap-log $(TEST_BINS) tests/acpi.t tests/cli.t tests/stream-tool.t tests/xl-save.t tests/qemu-streams.t tests/kvm-nested.t tests/kvm.t tests/kvm-linux.t tests/kvm-nic.t tests/kvm-usb.t tests/saverestore.t tests/bench.t tests/fuzz.t tests/e2e.t tests/demo.t tests/install.t || \
		{ TAP_LOG_DIR=$(B)/test-logs tests/tools/tap-failures; exit 1; }

# The real-Xen tier: Xen 4.17 + Debian dom0 under QEMU TCG (tests/e2e/).
# The display tests' VNC client (tests/tools/vnc-tool.c), run in dom0 and by make bench.
$(B)/vnc-tool: tests/tools/vnc-tool.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(RELEASE_CFLAGS) $< $(shell pkg-config --libs libvncclient) -o $@

e2e: deps $(B)/hvmdm $(B)/hvmdm-stream $(B)/vnc-tool $(E2E_GUESTS)
	@tests/e2e/run.sh $(B)

# Both emulated NICs under Linux's own drivers on KVM (tests/kvm-nic.t): in
# make check where /dev/kvm is fast; here also in the nested runner (some
# four minutes a model under TCG; HVMDM_KVM=auto uses a fast /dev/kvm here).
kvm-nic: deps $(B)/asan/hvmdm $(GUESTS)
	@for m in rtl8139 e1000; do HVMDM_KVM=$${HVMDM_KVM:-nested} HVMDM_KVM_NIC=1 HVMDM_KVM_NIC_MODEL=$$m prove -v tests/kvm-nic.t || exit 1; done

# The USB tablet under Linux's own drivers on KVM (tests/kvm-usb.t, also in
# make check): nested here even where a slow /dev/kvm would skip it.
kvm-usb: deps $(B)/asan/hvmdm $(B)/vnc-tool $(GUESTS)
	@HVMDM_KVM=$${HVMDM_KVM:-nested} prove -v tests/kvm-usb.t

# Installation: hvmdm beside nothing of its own in a libexec directory (the
# path for xl's device_model_override), hvmdm-stream on PATH, the man pages,
# the documentation and example xl configs. Everything goes under
# $(DESTDIR)$(PREFIX); both must be absolute, and DESTDIR is only prepended.
PREFIX ?= /usr/local
LIBEXECDIR ?= $(PREFIX)/libexec/hvmdm
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/hvmdm
INSTALL ?= install
DOCS := README.md RELEASES docs/ARCHITECTURE.md docs/compatibility.md docs/stream-format.md
EXAMPLES := $(wildcard docs/examples/*.cfg docs/examples/*.xml)

install-check:
	@case "$(PREFIX)" in /*) ;; *) echo "install: PREFIX must be an absolute path (it is '$(PREFIX)')" >&2; exit 1 ;; esac
	@case "$(DESTDIR)" in ""|/*) ;; *) echo "install: DESTDIR must be an absolute path (it is '$(DESTDIR)')" >&2; exit 1 ;; esac

install: install-check all
	$(INSTALL) -d $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DOCDIR)/examples
	$(INSTALL) -m 0755 $(B)/hvmdm $(DESTDIR)$(LIBEXECDIR)/hvmdm
	$(INSTALL) -m 0755 $(B)/hvmdm-stream $(DESTDIR)$(BINDIR)/hvmdm-stream
	$(INSTALL) -m 0644 docs/hvmdm.1 docs/hvmdm-stream.1 $(DESTDIR)$(MANDIR)/man1/
	$(INSTALL) -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	$(INSTALL) -m 0644 $(EXAMPLES) $(DESTDIR)$(DOCDIR)/examples/

uninstall: install-check
	rm -f $(DESTDIR)$(LIBEXECDIR)/hvmdm $(DESTDIR)$(BINDIR)/hvmdm-stream
	rm -f $(DESTDIR)$(MANDIR)/man1/hvmdm.1 $(DESTDIR)$(MANDIR)/man1/hvmdm-stream.1
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/,$(notdir $(DOCS))) $(addprefix $(DESTDIR)$(DOCDIR)/examples/,$(notdir $(EXAMPLES)))
	-rmdir $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) 2>/dev/null

# The Debian package (debhelper), built from a copy of the tree under
# $(B)/deb so dpkg-buildpackage's outputs land there, not beside the clone.
# Its version is VERSION with Debian's ordering ("0.3.0-dev" becomes
# "0.3.0~dev", before "0.3.0").
DEB_VERSION := $(subst -,~,$(VERSION))
deb:
	@command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null || { echo "deb: dpkg-dev and debhelper missing: run tools/setup-debian.sh" >&2; exit 1; }
	rm -rf $(B)/deb && mkdir -p $(B)/deb/hvmdm-$(DEB_VERSION)
	git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t $(B)/deb/hvmdm-$(DEB_VERSION)
	tools/deb-changelog $(DEB_VERSION) >$(B)/deb/hvmdm-$(DEB_VERSION)/debian/changelog
	cd $(B)/deb/hvmdm-$(DEB_VERSION) && dpkg-buildpackage -b -us -uc >../build.log 2>&1 || { tail -40 ../build.log >&2; exit 1; }
	@ls $(B)/deb/*.deb

clean:
	rm -rf $(B)
