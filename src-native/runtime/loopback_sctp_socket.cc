#include "runtime/loopback_sctp_socket.h"

#include <map>
#include <utility>

#include "p2p/base/packet_transport_internal.h"
#include "rtc_base/network_constants.h"
#include "runtime/datagram_batch.h"
#include "runtime/forwarding_sctp_socket.h"

namespace nlw {
namespace {

using dcsctp::StreamID;

constexpr dcsctp::DurationMs kLoopbackRtoMin(20);
constexpr dcsctp::DurationMs kLoopbackMinRttVariance(10);

bool OnLoopback(const SctpPath& path) {
  if (path.transport == nullptr) return false;
  absl::optional<rtc::NetworkRoute> route = path.transport->network_route();
  return route && route->connected && route->local.adapter_type() == rtc::ADAPTER_TYPE_LOOPBACK;
}

class LoopbackAwareSocket : public ForwardingSctpSocket {
 public:
  LoopbackAwareSocket(std::shared_ptr<const SctpPath> path, SctpSocketMaker make,
                      const dcsctp::DcSctpOptions& options, std::unique_ptr<dcsctp::PacketObserver> observer)
      : path_(std::move(path)), make_(std::move(make)), options_(options), observer_(std::move(observer)) {
    inner_ = make_(options_, nullptr);  // the packet observer goes to the socket that carries packets
  }

  void Connect() override {
    Settle();
    inner_->Connect();
  }
  void ReceivePacket(rtc::ArrayView<const uint8_t> data) override {
    Settle();
    DatagramBatch batch(Joining() ? DatagramBatch::kJoin : DatagramBatch::kSegment);
    inner_->ReceivePacket(data);
  }
  void HandleTimeout(dcsctp::TimeoutID id) override {
    DatagramBatch batch(Joining() ? DatagramBatch::kJoin : DatagramBatch::kSegment);
    inner_->HandleTimeout(id);
  }
  dcsctp::SendStatus Send(dcsctp::DcSctpMessage message, const dcsctp::SendOptions& options) override {
    used_ = true;
    DatagramBatch batch(Joining() ? DatagramBatch::kJoin : DatagramBatch::kSegment);
    return inner_->Send(std::move(message), options);
  }
  dcsctp::ResetStreamsStatus ResetStreams(rtc::ArrayView<const StreamID> streams) override {
    used_ = true;
    return inner_->ResetStreams(streams);
  }
  void RestoreFromState(const dcsctp::DcSctpSocketHandoverState& state) override {
    used_ = true;
    inner_->RestoreFromState(state);
  }
  void SetMaxMessageSize(size_t size) override {
    options_.max_message_size = size;
    inner_->SetMaxMessageSize(size);
  }
  void SetStreamPriority(StreamID s, dcsctp::StreamPriority p) override {
    priorities_[s] = p;
    inner_->SetStreamPriority(s, p);
  }
  void SetBufferedAmountLowThreshold(StreamID s, size_t bytes) override {
    thresholds_[s] = bytes;
    inner_->SetBufferedAmountLowThreshold(s, bytes);
  }

 private:
  // Records are joined only for a peer whose SCTP is dcsctp, that is a libwebrtc stack (Chromium,
  // ours), whose DtlsTransport reads every record of a datagram. Not every DTLS stack does:
  // aiortc reads one record per datagram and leaves the rest in its buffer until the next DTLS
  // datagram arrives, so joined replies reached it seconds late or not at all (issue 20). dcsctp
  // knows the peer from the state cookie of its INIT ACK (both libwebrtc ends send INIT), before
  // any DATA; until then, and for every other peer, one record per datagram.
  bool Joining() const {
    return loopback_ && inner_->peer_implementation() == dcsctp::SctpImplementation::kDcsctp;
  }

  // Once, when the association starts. A socket that already holds messages or state stays.
  void Settle() {
    if (settled_) return;
    settled_ = true;
    if (used_) return;
    loopback_ = OnLoopback(*path_);
    if (!loopback_ && observer_ == nullptr) return;
    dcsctp::DcSctpOptions options = options_;
    if (loopback_) {
      options.rto_min = kLoopbackRtoMin;
      options.min_rtt_variance = kLoopbackMinRttVariance;
    }
    inner_.reset();
    inner_ = make_(options, std::move(observer_));
    for (const auto& [s, p] : priorities_) inner_->SetStreamPriority(s, p);
    for (const auto& [s, bytes] : thresholds_) inner_->SetBufferedAmountLowThreshold(s, bytes);
  }

  std::shared_ptr<const SctpPath> path_;
  SctpSocketMaker make_;
  dcsctp::DcSctpOptions options_;
  std::unique_ptr<dcsctp::PacketObserver> observer_;
  std::map<StreamID, dcsctp::StreamPriority> priorities_;
  std::map<StreamID, size_t> thresholds_;
  bool settled_ = false;
  bool used_ = false;
  bool loopback_ = false;
};

}  // namespace

std::unique_ptr<dcsctp::DcSctpSocketInterface> CreateLoopbackAwareSocket(
    std::shared_ptr<const SctpPath> path, SctpSocketMaker make, const dcsctp::DcSctpOptions& options,
    std::unique_ptr<dcsctp::PacketObserver> observer) {
  return std::make_unique<LoopbackAwareSocket>(std::move(path), std::move(make), options, std::move(observer));
}

}  // namespace nlw
