// The SCTP transports of our connections: libwebrtc's own (dcsctp), with stream resets that wait
// for the stream's queued messages, and loopback settings on loopback paths
// (runtime/loopback_sctp_socket.h).
//
// webrtc-pc's closing procedure sends a channel's pending messages before the stream is reset.
// libwebrtc M110's channel waits only for its own queue; messages already handed to dcsctp but not
// yet sent (its send buffer holds megabytes) are discarded by dcsctp when the reset pauses the
// stream: close() right after a burst lost the last 100-200 of 2,000 4 KiB messages. Here a
// reset of a stream with queued data is held until dcsctp reports that stream's queue empty.
#pragma once

#include <functional>
#include <cstdint>
#include <memory>

#include "api/transport/sctp_transport_factory_interface.h"

namespace cricket {
class SctpTransportInternal;
}
namespace rtc {
class Thread;
}

namespace nlw {

// The data-channel PPIDs of non-empty messages (RFC 8831; M108's WebrtcPPID, dcsctp_transport.cc).
constexpr uint32_t kPpidString = 51;
constexpr uint32_t kPpidBinary = 53;

std::unique_ptr<webrtc::SctpTransportFactoryInterface> CreateSctpTransportFactory(rtc::Thread* network);

// Network thread. `transport` is one this factory made (every connection's is). Calls `room` once,
// from inside dcsctp's callback (post from it, do not send), when the association's send buffer,
// which refused a message as full, has fallen below its low mark (dcsctp's
// total_buffered_amount_low_threshold): what libwebrtc's channels wait for too
// (SignalReadyToSendData), told to the channels that send past them (wrap/data_channel.cc). A later
// call for the same `waiter` before then replaces its `room`.
// Network (= signaling) thread. The association state of `transport` (one this factory made).
struct SctpPath;
std::shared_ptr<SctpPath> SctpPathOf(cricket::SctpTransportInternal* transport);

// Network (= signaling) thread. From now on, `receiver` takes stream `sid`'s data messages past
// libwebrtc's channel (runtime/direct_receive.h), once the messages libwebrtc took before have
// been delivered. Remove stops that (if `receiver` is the one registered for `sid`).
class DirectMessageReceiver;
void AddDirectReceiver(SctpPath& path, uint16_t sid, std::weak_ptr<DirectMessageReceiver> receiver);
void RemoveDirectReceiver(SctpPath& path, uint16_t sid, const DirectMessageReceiver* receiver);

void WhenSctpSendBufferHasRoom(cricket::SctpTransportInternal* transport, const void* waiter,
                               std::function<void()> room);

}  // namespace nlw
