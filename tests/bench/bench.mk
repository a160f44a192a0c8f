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
	$(B)/bpf_srccount.bpf.o

$(B):
	mkdir -p $@

$(B)/icmpflood: $(S)icmpflood.c | $(B)
	$(CC) $(CFLAGS) -o $@ $<

$(B)/l4bench: $(S)l4bench.c | $(B)
	$(CC) $(CFLAGS) -o $@ $<

$(B)/nflog_count: $(S)nflog_count.c | $(B)
	$(CC) $(CFLAGS) -o $@ $< $(shell pkg-config --cflags --libs libnetfilter_log libnfnetlink)

$(B)/bpf_srccount.bpf.o: $(S)bpf_srccount.bpf.c $(S)bpf_srccount.h | $(B)
	clang $(BPF_CFLAGS) -c -o $@ $<

$(B)/bpf_srccount: $(S)bpf_srccount.c $(S)bpf_srccount.h | $(B)
	$(CC) $(CFLAGS) -o $@ $< $(shell pkg-config --cflags --libs libbpf)

.PHONY: all
