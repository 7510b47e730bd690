# bulkhead — GNU Make build (libbpf-tools style).
#   make                 build/bulkhead and the unit tests
#   make SAN=1           build-san/: the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   make check           build and run the whole suite (tests/run.sh)
#   make fuzz            build-fuzz/: libFuzzer targets (clang)
#   make install         binary, kubectl plugin name, man page, bash completion under $(DESTDIR)$(PREFIX)
# Areas that need extra build steps (e.g. BPF skeletons) add a src/<area>/<area>.mk, included below.

CC       ?= cc
WERROR   ?= -Werror
PKGS     := yaml-0.1 libmicrohttpd gnutls libbpf libelf zlib libarchive libcurl libgvc
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

ifeq ($(SAN),1)
BUILD    ?= build-san
OPT      ?= -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDSAN    := -fsanitize=address,undefined
else
BUILD    ?= build
OPT      ?= -O2 -g
LDSAN    :=
endif

CFLAGS   += -std=c11 -D_GNU_SOURCE $(OPT) -Wall -Wextra -Wshadow -Wno-unused-parameter -Wno-missing-field-initializers -Wno-format-truncation \
            -Wstrict-prototypes -Wmissing-prototypes -Wvla $(WERROR) -Isrc $(PKG_CFLAGS)
LDLIBS   += $(PKG_LIBS) -lpthread -lm
LDFLAGS  += $(LDSAN)

LIB_SRC  := $(sort $(shell find src -name '*.c' ! -name '*.bpf.c' ! -path src/main.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))
FUZZ_BIN := $(FUZZ_SRC:fuzz/%.c=build-fuzz/%)

.PHONY: all check fuzz bench clean install
all: $(BUILD)/bulkhead $(UNIT_BIN)

-include $(sort $(wildcard src/*/*.mk))

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libbulkhead.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/bulkhead: $(BUILD)/src/main.o $(BUILD)/libbulkhead.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libbulkhead.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libbulkhead.a $(LDFLAGS) $(LDLIBS) -lcmocka

check: all
	BUILD=$(BUILD) tests/run.sh

# libFuzzer needs clang; the library is rebuilt with coverage instrumentation.
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Isrc $(PKG_CFLAGS)
# fuzz targets link the pipeline only: commands and host-facing areas (generated BPF headers) are no fuzz surface;
# cluster/ (its own target below) and kube/ (network client) stay out of the others
FUZZ_LIB := $(filter-out src/watch/% src/host/% src/cmd/% src/cluster/% src/kube/%,$(LIB_SRC)) src/cmd/cli.c
# the cluster target adds its area and the CVE data it reads (no BPF, no libcurl calls)
FUZZ_CLUSTER_LIB := $(FUZZ_LIB) $(filter src/cluster/%,$(LIB_SRC)) src/host/cvedb.c src/host/kver.c src/host/pkgver.c src/host/cvedata.c
build-fuzz/fuzz_cluster: fuzz/fuzz_cluster.c $(FUZZ_CLUSTER_LIB)
	@mkdir -p build-fuzz
	clang $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_CLUSTER_LIB) $(LDLIBS)
build-fuzz/%: fuzz/%.c $(FUZZ_LIB)
	@mkdir -p build-fuzz
	clang $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LIB) $(LDLIBS)
fuzz: $(FUZZ_BIN)

# bench/ helpers (not part of the product)
$(BUILD)/bench/yaml_parse: bench/yaml_parse.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS) -lyaml
bench: $(BUILD)/bulkhead $(BUILD)/bench/yaml_parse

PREFIX   ?= /usr/local
install: $(BUILD)/bulkhead
	install -D -m 0755 $(BUILD)/bulkhead $(DESTDIR)$(PREFIX)/bin/bulkhead
	# kubectl runs a plugin named kubectl-NAME found on PATH: `kubectl bulkhead scan …`
	ln -sf bulkhead $(DESTDIR)$(PREFIX)/bin/kubectl-bulkhead
	install -D -m 0644 docs/bulkhead.1 $(DESTDIR)$(PREFIX)/share/man/man1/bulkhead.1
	install -D -m 0644 scripts/completion/bulkhead.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/bulkhead

clean:
	rm -rf build build-san build-fuzz

-include $(LIB_OBJ:.o=.d) $(BUILD)/src/main.d
