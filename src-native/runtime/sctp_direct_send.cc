#include "runtime/sctp_direct_send.h"

#include <utility>

#include "media/sctp/dcsctp_transport.h"
#include "net/dcsctp/public/dcsctp_message.h"
#include "net/dcsctp/public/dcsctp_socket.h"
#include "net/dcsctp/public/types.h"
#include "rtc_base/logging.h"
#include "runtime/sctp_factory.h"

namespace nlw {
namespace {

// DcSctpTransport's socket and stream states are private, and the send must see the same ones
// SendData does. An explicit instantiation may name private members (C++ [temp.spec]); the
// friend functions below hand out their member pointers without naming their types.
template <typename Tag, auto Member>
struct Expose {
  friend auto MemberOf(Tag) { return Member; }
};
struct SocketTag { friend auto MemberOf(SocketTag); };
struct StatesTag { friend auto MemberOf(StatesTag); };
struct ReadyTag { friend auto MemberOf(ReadyTag); };

}  // namespace

template struct Expose<SocketTag, &webrtc::DcSctpTransport::socket_>;
template struct Expose<StatesTag, &webrtc::DcSctpTransport::stream_states_>;
template struct Expose<ReadyTag, &webrtc::DcSctpTransport::ready_to_send_data_>;

SctpDirectSender::SctpDirectSender(cricket::SctpTransportInternal* transport) : transport_(transport) {}

SctpDirectSender::Result SctpDirectSender::Send(int sid, const webrtc::SendDataParams& params,
                                                std::vector<uint8_t>& payload) {
  if (payload.empty() || params.type == webrtc::DataMessageType::kControl) return Result::kNotHere;
  // Our factory's transports are DcSctpTransports (PathAwareSctpTransport, sctp_factory.cc).
  auto* dc = static_cast<webrtc::DcSctpTransport*>(transport_);
  auto& socket = dc->*MemberOf(SocketTag{});
  if (!socket || socket->state() == dcsctp::SocketState::kShuttingDown) return Result::kNotHere;
  // As SendData: only open streams, none whose closing has begun.
  auto& states = dc->*MemberOf(StatesTag{});
  auto it = states.find(dcsctp::StreamID(static_cast<uint16_t>(sid)));
  if (it == states.end() || it->second.closure_initiated || it->second.incoming_reset_done ||
      it->second.outgoing_reset_done) {
    return Result::kNotHere;
  }
  if (payload.size() > socket->options().max_message_size) return Result::kNotHere;  // dcsctp's own limit
  // dcsctp refuses a message when its queue already holds max_send_buffer_size bytes, and the
  // refused message would be gone: check its own condition first. Its queue is the sum of its
  // streams' queues, and a stream with anything queued is one the transport tracks.
  if (!queued_known_) {
    for (const auto& [stream, state] : states) queued_ += socket->buffered_amount(stream);
    queued_known_ = true;
  }
  if (queued_ >= socket->options().max_send_buffer_size) {
    dc->*MemberOf(ReadyTag{}) = false;  // as SendData on SDR_BLOCK: the transport says when ready
    return Result::kFull;
  }
  const size_t size = payload.size();
  const bool text = params.type == webrtc::DataMessageType::kText;
  dcsctp::SendOptions options;
  options.unordered = dcsctp::IsUnordered(!params.ordered);
  if (params.max_rtx_ms.has_value()) options.lifetime = dcsctp::DurationMs(*params.max_rtx_ms);
  if (params.max_rtx_count.has_value()) options.max_retransmissions = *params.max_rtx_count;
  dcsctp::SendStatus status = socket->Send(
      dcsctp::DcSctpMessage(dcsctp::StreamID(static_cast<uint16_t>(sid)), dcsctp::PPID(text ? kPpidString : kPpidBinary),
                            std::move(payload)),
      options);
  payload.clear();
  // The checks above are dcsctp's own (empty, too large, shutting down, queue full), so it does
  // not refuse; if a later libwebrtc did, the message would be lost where SendData would close
  // the channel. Said in the log, not by a check: DCHECKs are live in our build and would abort.
  if (status == dcsctp::SendStatus::kSuccess) queued_ += size;
  else RTC_LOG(LS_ERROR) << "dcsctp refused a data-channel message past our checks (lost), status " << static_cast<int>(status);
  return Result::kSent;
}

}  // namespace nlw
