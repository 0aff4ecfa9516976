// Hands a data-channel message to dcsctp without the copy DcSctpTransport::SendData makes.
// libwebrtc's SendData takes a rtc::CopyOnWriteBuffer and copies it into the std::vector that a
// dcsctp message owns: with the copy JS's send() already needs, every message was copied twice and
// allocated three times (the buffer's two blocks, then the vector), on two threads. Here the bytes
// are read from JS straight into that vector, which dcsctp takes over (bench/RESULTS.md
// "Session 17": 4 % of a bulk sender, ~9 % of one sending 100-byte messages).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "api/transport/data_channel_transport_interface.h"

namespace cricket { class SctpTransportInternal; }

namespace nlw {

// One burst of sends on one network-thread visit; what dcsctp's send queue holds is read once.
class SctpDirectSender {
 public:
  // Network thread. `transport` is one our SCTP factory made (runtime/sctp_factory.cc).
  explicit SctpDirectSender(cricket::SctpTransportInternal* transport);

  enum class Result {
    kSent,
    // dcsctp's send buffer is full (libwebrtc's SDR_BLOCK): nothing was taken; wait for room.
    kFull,
    // Not for this path (no socket, a stream that is not open, too large, shutting down): nothing
    // was taken; libwebrtc's channel sends it (and reports what goes wrong).
    kNotHere,
  };
  // `payload` is moved from only when the result is kSent. Never an empty payload (libwebrtc's
  // channel sends those: a one-byte message with the "empty" PPID).
  Result Send(int sid, const webrtc::SendDataParams& params, std::vector<uint8_t>& payload);

 private:
  cricket::SctpTransportInternal* const transport_;
  size_t queued_ = 0;  // what dcsctp's send queue holds, as dcsctp counts it (payload bytes)
  bool queued_known_ = false;
};

}  // namespace nlw
