# bulkhead watch: BPF build steps (libbpf-tools style), included by the top Makefile for BUILD=build and
# BUILD=build-san alike.
#   vmlinux.h   generated from the running kernel's BTF with bpftool (never checked in)
#   *.bpf.o     clang -target bpf, CO-RE relocations from -g BTF
#   *.skel.h    bpftool gen skeleton: the object is embedded in the library, nothing to install
# The C objects of src/watch/ wait (order-only) for the skeleton header they include.

BPFTOOL    ?= bpftool
BPF_CLANG  ?= clang
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
WATCH_GEN  := $(BUILD)/gen/watch
BPF_ARCH   := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/ppc64le/powerpc/' -e 's/s390x/s390/')
WATCH_BPF  := $(sort $(wildcard src/watch/*.bpf.c))
WATCH_SKEL := $(WATCH_BPF:src/watch/%.bpf.c=$(WATCH_GEN)/%.skel.h)

$(WATCH_GEN)/vmlinux.h: | $(VMLINUX_BTF)
	@mkdir -p $(dir $@)
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

$(WATCH_GEN)/%.bpf.o: src/watch/%.bpf.c src/watch/watch.h $(WATCH_GEN)/vmlinux.h
	@mkdir -p $(dir $@)
	$(BPF_CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -Wall -Werror \
		-I$(WATCH_GEN) -Isrc/watch -c $< -o $@

$(WATCH_GEN)/%.skel.h: $(WATCH_GEN)/%.bpf.o
	$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

$(BUILD)/src/watch/%.o: CFLAGS += -I$(WATCH_GEN)
$(patsubst %.c,$(BUILD)/%.o,$(filter-out %.bpf.c,$(wildcard src/watch/*.c))): | $(WATCH_SKEL)
.SECONDARY: $(WATCH_BPF:src/watch/%.bpf.c=$(WATCH_GEN)/%.bpf.o)

# watch --profile: syscall number -> name tables generated from the kernel's uapi headers (Debian package
# linux-libc-dev), never typed by hand: the native x86_64 table, the 32-bit (i386/compat) one, and the
# capability names of linux/capability.h.
SYSCALL_HDR64 ?= /usr/include/x86_64-linux-gnu/asm/unistd_64.h
SYSCALL_HDR32 ?= /usr/include/x86_64-linux-gnu/asm/unistd_32.h
CAPABILITY_HDR ?= /usr/include/linux/capability.h
$(WATCH_GEN)/syscall_names.h: scripts/gen-syscalls $(wildcard $(SYSCALL_HDR64) $(SYSCALL_HDR32) $(CAPABILITY_HDR))
	@mkdir -p $(dir $@)
	sh scripts/gen-syscalls $(SYSCALL_HDR64) $(SYSCALL_HDR32) $(CAPABILITY_HDR) > $@.tmp && mv $@.tmp $@
$(BUILD)/src/watch/profile_out.o: | $(WATCH_GEN)/syscall_names.h
$(WATCH_GEN)/profile.bpf.o: src/watch/profile.h
