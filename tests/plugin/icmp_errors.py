#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Send ICMP error messages, as a router on the path would, for the
end-to-end tests: IPv4 destination unreachable (fragmentation needed,
code 4, or port unreachable, code 3), IPv4 time exceeded (TTL, 11/0) or
ICMPv6 packet too big, each quoting a made-up packet of the receiver's.
Bounded: COUNT messages at RATE/s.

  icmp_errors.py frag_needed|port_unreach|ttl_exceeded|packet_too_big \
      DST COUNT RATE
"""
import socket
import struct
import sys
import time


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


V4_KINDS = {"frag_needed": (3, 4), "port_unreach": (3, 3),
            "ttl_exceeded": (11, 0)}


def v4_message(dst, icmp_type, code):
    # The quoted packet: an IPv4 header from dst to 198.51.100.99 + 8 bytes.
    quoted = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 1500, 1, 0x4000, 64, 17,
                         0, socket.inet_aton(dst),
                         socket.inet_aton("198.51.100.99")) + b"\0" * 8
    mtu = 1280 if (icmp_type, code) == (3, 4) else 0
    head = struct.pack("!BBHHH", icmp_type, code, 0, 0, mtu)
    csum = checksum(head + quoted)
    return struct.pack("!BBHHH", icmp_type, code, csum, 0, mtu) + quoted


def v6_message(dst):
    # The kernel fills in the ICMPv6 checksum of a raw ICMPv6 socket.
    quoted = struct.pack("!IHBB16s16s", 6 << 28, 8, 17, 64,
                         socket.inet_pton(socket.AF_INET6, dst),
                         socket.inet_pton(socket.AF_INET6, "2001:db8:1::99")
                         ) + b"\0" * 8
    return struct.pack("!BBHI", 2, 0, 0, 1280) + quoted


def main():
    kind, dst, count, rate = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
        float(sys.argv[4])
    if count > 100000 or rate <= 0:
        sys.exit("icmp_errors.py: COUNT at most 100000, RATE above 0")
    if kind == "packet_too_big":
        sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW,
                             socket.IPPROTO_ICMPV6)
        msg = v6_message(dst)
    else:
        sock = socket.socket(socket.AF_INET, socket.SOCK_RAW,
                             socket.IPPROTO_ICMP)
        msg = v4_message(dst, *V4_KINDS[kind])
    start = time.monotonic()
    for i in range(count):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        sock.sendto(msg, (dst, 0))


if __name__ == "__main__":
    main()
