# Bench tools, built out of tree: make -f tests/bench/bench.mk (from the top dir)
# Not part of `make check`: the benchmark is a script (tests/bench/run.sh).
S := $(dir $(lastword $(MAKEFILE_LIST)))
B ?= build/bench
CC ?= cc
CFLAGS ?= -O2 -g
CFLAGS += -Wall -Wextra -Werror -fno-strict-aliasing
BPF_CFLAGS = -O2 -g -target bpf -Wall -Werror \
	-I/usr/include/$(shell $(CC) -dumpmachine)

all: $(B)/icmpflood $(B)/nflog_count $(B)/l4bench $(B)/bpf_srccount \
	$(B)/bpf_srccount.bpf.o $(B)/spin

$(B):
	mkdir -p $@

# Static: the deterministic part runs it from the guest's tmpfs without
# opening a shared library over 9p inside a measured window.
$(B)/icmpflood: $(S)icmpflood.c | $(B)
	$(CC) $(CFLAGS) -static -o $@ $<

$(B)/l4bench: $(S)l4bench.c | $(B)
	$(CC) $(CFLAGS) -o $@ $<

$(B)/nflog_count: $(S)nflog_count.c | $(B)
	$(CC) $(CFLAGS) -o $@ $< $(shell pkg-config --cflags --libs libnetfilter_log libnfnetlink)

$(B)/bpf_srccount.bpf.o: $(S)bpf_srccount.bpf.c $(S)bpf_srccount.h | $(B)
	clang $(BPF_CFLAGS) -c -o $@ $<

$(B)/bpf_srccount: $(S)bpf_srccount.c $(S)bpf_srccount.h | $(B)
	$(CC) $(CFLAGS) -o $@ $< $(shell pkg-config --cflags --libs libbpf)

.PHONY: all

# The read-callback microbench: the plugin's real code with the unit
# tests' fake daemon (user space, no module needed).
TOP := $(S)../../
PLUGIN_PARTS = $(filter-out %/netlink_icmp.c %/nlicmpctl.c, \
	$(wildcard $(TOP)plugin/*.c)) $(TOP)tests/unit/fake_collectd.c
$(B)/readcb: $(S)readcb.c $(PLUGIN_PARTS) $(TOP)plugin/netlink_icmp.c \
		$(TOP)tests/unit/plugin_statics.h | $(B)
	$(CC) $(CFLAGS) -std=gnu17 -DHAVE_CONFIG_H -I/usr/include/collectd \
		-I$(TOP)plugin -I$(TOP)include -I$(TOP)tests/unit \
		$(shell pkg-config --cflags libnl-genl-3.0) -o $@ $< $(PLUGIN_PARTS) \
		$(shell pkg-config --libs libnl-genl-3.0) -lpthread -lm

$(B)/spin: $(S)spin.c | $(B)
	$(CC) $(CFLAGS) -static -o $@ $<
