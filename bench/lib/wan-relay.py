#!/usr/bin/env python3
# A userspace stand-in for `tc netem` on kernels without sch_netem: forwards every Ethernet frame
# between two interfaces of a middle namespace (AF_PACKET), each one after a fixed delay, and drops
# a fraction of them at random. Both directions get the same delay and loss.
# Usage (inside the middle namespace): wan-relay.py <if0> <if1> <delay_ms> <loss_fraction>
# Prints "ready" once both sockets are bound; runs until killed.
import heapq
import random
import select
import socket
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def clear_udp_checksum(frame):
    # The sender's veth leaves the UDP checksum to "hardware" (checksum offload): the frame read
    # here carries a partial sum that the receiver would reject. Over IPv4 a UDP checksum of 0
    # means "none", which every stack accepts.
    if len(frame) < 42 or frame[12:14] != b"\x08\x00" or frame[23] != 17:
        return frame
    ihl = (frame[14] & 0x0F) * 4
    at = 14 + ihl + 6
    return frame[:at] + b"\x00\x00" + frame[at + 2:]


def main():
    if0, if1, delay_ms, loss = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    delay = delay_ms / 1000.0
    socks = []
    for name in (if0, if1):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
        s.bind((name, 0))
        s.setblocking(False)
        socks.append(s)
    other = {socks[0].fileno(): socks[1], socks[1].fileno(): socks[0]}
    by_fd = {s.fileno(): s for s in socks}
    poll = select.epoll()
    for s in socks:
        poll.register(s.fileno(), select.EPOLLIN)
    queue = []  # (due, seq, socket, frame)
    seq = 0
    rnd = random.Random()
    print("ready", flush=True)
    while True:
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, out, frame = heapq.heappop(queue)
            try:
                out.send(frame)
            except (BlockingIOError, OSError):
                pass  # a full transmit queue drops, as a router would
        timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else -1
        for fd, _ in poll.poll(timeout):
            s = by_fd[fd]
            while True:
                try:
                    frame, addr = s.recvfrom(65536)
                except BlockingIOError:
                    break
                if addr[2] == PACKET_OUTGOING:
                    continue  # what this relay sent itself
                if loss > 0 and rnd.random() < loss:
                    continue
                frame = clear_udp_checksum(frame)
                seq += 1
                heapq.heappush(queue, (time.monotonic() + delay, seq, other[fd], frame))


if __name__ == "__main__":
    main()
