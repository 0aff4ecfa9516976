#!/usr/bin/env python3
# The aiortc side of test/interop/aiortc.test.js (Debian's python3-aiortc). Signaling: one JSON
# object per line on stdin/stdout, full descriptions (aiortc gathers before it describes).
#   aiortc-peer.py offer <count>   offers audio + video + a data channel "chat", sends <count>
#                                  messages "ping <i>" once it is open, expects "pong <i>" back
#   aiortc-peer.py answer <count>  answers; echoes every "ping <i>" on the channel it is given as
#                                  "pong <i>"
# Prints {"type": "result", ...} when done (the offerer: once every reply arrived or after 10 s),
# with "joined": how many DTLS datagrams it received that carried more than one record.
import asyncio
import json
import sys

import aioice.ice

# aioice leaves 127.0.0.1 out of its host candidates; the test runs in a loopback-only namespace.
aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"] if use_ipv4 else []

from aiortc import RTCPeerConnection, RTCSessionDescription  # noqa: E402
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack  # noqa: E402

# aiortc's DTLS transport hands OpenSSL a datagram and takes one record out of it: the records
# after the first wait until the next DTLS datagram. Count the DTLS datagrams that carry more than
# one record, application data among them (handshake flights share datagrams too, and OpenSSL's
# handshake reads them all). A DTLS record header is 13 bytes: type first, length in the last two.
joined = {"datagrams": 0}
_recv = aioice.ice.Connection.recv


async def _counting_recv(self):
    data = await _recv(self)
    if data and 19 < data[0] < 64:
        types, at = [], 0
        while at + 13 <= len(data):
            types.append(data[at])
            at += 13 + int.from_bytes(data[at + 11:at + 13], "big")
        if len(types) > 1 and 23 in types:
            joined["datagrams"] += 1
    return data


aioice.ice.Connection.recv = _counting_recv


def out(msg):
    sys.stdout.write(json.dumps(msg) + "\n")
    sys.stdout.flush()


async def read_line():
    loop = asyncio.get_running_loop()
    line = await loop.run_in_executor(None, sys.stdin.readline)
    if not line:
        raise EOFError("stdin closed")
    return json.loads(line)


async def main(role, count):
    pc = RTCPeerConnection()
    replies = []
    pings = []
    all_replies = asyncio.Event()

    def echo(channel):
        @channel.on("message")
        def on_message(message):
            pings.append(message)
            channel.send(message.replace("ping", "pong"))

    if role == "offer":
        pc.addTrack(AudioStreamTrack())
        pc.addTrack(VideoStreamTrack())
        channel = pc.createDataChannel("chat")

        opened = {}

        @channel.on("open")
        def on_open():
            opened["t"] = asyncio.get_running_loop().time()
            for i in range(count):
                channel.send(f"ping {i}")

        @channel.on("message")
        def on_message(message):
            replies.append(message)
            if len(replies) == count:
                all_replies.set()

        await pc.setLocalDescription(await pc.createOffer())
        out({"type": "offer", "sdp": pc.localDescription.sdp})
        answer = await read_line()
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type="answer"))
        try:
            await asyncio.wait_for(all_replies.wait(), 10)
        except asyncio.TimeoutError:
            pass
        t = opened.get("t")
        out({"type": "result", "replies": replies, "joined": joined["datagrams"],
             "seconds": None if t is None else asyncio.get_running_loop().time() - t})
    else:
        pc.on("datachannel", echo)
        offer = await read_line()
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer["sdp"], type="offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        out({"type": "answer", "sdp": pc.localDescription.sdp})
        # Until the Node side says it is done (or closes stdin).
        try:
            await read_line()
        except EOFError:
            pass
        out({"type": "result", "pings": pings, "joined": joined["datagrams"]})
    await pc.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
