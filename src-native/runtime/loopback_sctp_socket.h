// dcsctp settings for an association whose path turns out to be loopback.
//
// The socket is created when the description is applied, before ICE has chosen a path, so this
// decorator looks at the path when the association starts (Connect, or the first packet, both
// after DTLS is up) and, on loopback, builds the real socket again with:
// - packets that leave joined, several DTLS records per datagram (datagram_batch.h), when the peer's
//   SCTP is dcsctp (a libwebrtc stack, which reads every record of a datagram; aiortc does not);
// - a minimum retransmission timeout of tens of milliseconds instead of 400 ms (and a smaller
//   floor for the RTT variance), because a loopback receiver that falls behind overflows its UDP
//   buffer (~208 KiB by default) and the lost tail of a burst then waited a whole RTO: throughput
//   runs halved by 400-600 ms stalls (bench/RESULTS.md).
// What was configured before that point (thresholds, priorities, message size) is applied again.
#pragma once

#include <functional>
#include <map>
#include <memory>

#include "net/dcsctp/public/dcsctp_options.h"
#include "net/dcsctp/public/dcsctp_socket.h"
#include "net/dcsctp/public/packet_observer.h"
#include "runtime/direct_receive.h"

namespace rtc {
class PacketTransportInternal;
}

namespace nlw {

// The transport an SCTP association runs on; libwebrtc may swap it (bundling). Network thread.
struct SctpPath {
  rtc::PacketTransportInternal* transport = nullptr;
  // Called once, then dropped, when dcsctp's send buffer (all streams) falls below its low mark
  // after being full (sctp_factory.h: WhenSctpSendBufferHasRoom); one per waiter.
  std::map<const void*, std::function<void()>> on_room;
  // Open channels that take their stream's data messages directly (direct_receive.h), by stream id.
  std::map<uint16_t, DirectStream> direct;
};

using SctpSocketMaker = std::function<std::unique_ptr<dcsctp::DcSctpSocketInterface>(
    const dcsctp::DcSctpOptions&, std::unique_ptr<dcsctp::PacketObserver>)>;

std::unique_ptr<dcsctp::DcSctpSocketInterface> CreateLoopbackAwareSocket(
    std::shared_ptr<const SctpPath> path, SctpSocketMaker make, const dcsctp::DcSctpOptions& options,
    std::unique_ptr<dcsctp::PacketObserver> observer);

}  // namespace nlw
