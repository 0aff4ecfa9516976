#include "runtime/sctp_factory.h"

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "api/task_queue/pending_task_safety_flag.h"
#include "media/sctp/dcsctp_transport.h"
#include "net/dcsctp/public/dcsctp_socket.h"
#include "net/dcsctp/public/dcsctp_socket_factory.h"
#include "rtc_base/thread.h"
#include "runtime/forwarding_sctp_socket.h"
#include "runtime/loopback_sctp_socket.h"
#include "runtime/sack_window.h"
#include "shims/sctp_receive_checksum.h"
#include "system_wrappers/include/clock.h"

namespace nlw {
namespace {

using dcsctp::StreamID;

// Callbacks from the real socket to DcSctpTransport, through the socket below (which needs to see
// a stream's queue run empty). Network thread.
class ForwardingCallbacks : public dcsctp::DcSctpSocketCallbacks {
 public:
  ForwardingCallbacks(dcsctp::DcSctpSocketCallbacks& outer, std::function<void(StreamID)> on_low,
                      std::shared_ptr<SctpPath> path)
      : outer_(outer), on_low_(std::move(on_low)), path_(std::move(path)) {}

  void SendPacket(rtc::ArrayView<const uint8_t> data) override { outer_.SendPacket(data); }
  dcsctp::SendPacketStatus SendPacketWithStatus(rtc::ArrayView<const uint8_t> data) override {
    return outer_.SendPacketWithStatus(data);
  }
  std::unique_ptr<dcsctp::Timeout> CreateTimeout(webrtc::TaskQueueBase::DelayPrecision p) override {
    return outer_.CreateTimeout(p);
  }
  std::unique_ptr<dcsctp::Timeout> CreateTimeout() override { return outer_.CreateTimeout(); }
  dcsctp::TimeMs TimeMillis() override { return outer_.TimeMillis(); }
  uint32_t GetRandomInt(uint32_t low, uint32_t high) override { return outer_.GetRandomInt(low, high); }
  void NotifyOutgoingMessageBufferEmpty() override { outer_.NotifyOutgoingMessageBufferEmpty(); }
  void OnMessageReceived(dcsctp::DcSctpMessage message) override {
    if (path_->direct.empty()) {
      outer_.OnMessageReceived(std::move(message));
      return;
    }
    auto it = path_->direct.find(*message.stream_id());
    if (it == path_->direct.end()) {
      outer_.OnMessageReceived(std::move(message));
      return;
    }
    std::shared_ptr<DirectMessageReceiver> r = it->second.receiver.lock();
    if (r == nullptr) {  // a channel wrapper dropped without its release
      path_->direct.erase(it);
      outer_.OnMessageReceived(std::move(message));
      return;
    }
    // WebRTC string and binary (RFC 8831); DCEP and the empty-message PPIDs go libwebrtc's way.
    uint32_t ppid = *message.ppid();
    if (*it->second.slow == 0 && (ppid == kPpidString || ppid == kPpidBinary) && !message.payload().empty()) {
      r->OnDirectMessage(std::move(message).ReleasePayload(), ppid == kPpidBinary);
      return;
    }
    // libwebrtc posts this one to the signaling thread (this thread): later messages of the
    // stream wait for that task (ours is queued behind it).
    std::shared_ptr<int> slow = it->second.slow;
    ++*slow;
    outer_.OnMessageReceived(std::move(message));
    rtc::Thread::Current()->PostTask([slow] { --*slow; });
  }
  void OnError(dcsctp::ErrorKind error, absl::string_view message) override { outer_.OnError(error, message); }
  void OnAborted(dcsctp::ErrorKind error, absl::string_view message) override {
    outer_.OnAborted(error, message);
  }
  void OnConnected() override { outer_.OnConnected(); }
  void OnClosed() override { outer_.OnClosed(); }
  void OnConnectionRestarted() override { outer_.OnConnectionRestarted(); }
  void OnStreamsResetFailed(rtc::ArrayView<const StreamID> streams, absl::string_view reason) override {
    outer_.OnStreamsResetFailed(streams, reason);
  }
  void OnStreamsResetPerformed(rtc::ArrayView<const StreamID> streams) override {
    outer_.OnStreamsResetPerformed(streams);
  }
  void OnIncomingStreamsReset(rtc::ArrayView<const StreamID> streams) override {
    outer_.OnIncomingStreamsReset(streams);
  }
  void OnBufferedAmountLow(StreamID stream) override {
    on_low_(stream);
    outer_.OnBufferedAmountLow(stream);
  }
  void OnTotalBufferedAmountLow() override {
    outer_.OnTotalBufferedAmountLow();  // DcSctpTransport takes sends again
    std::map<const void*, std::function<void()>> room;
    room.swap(path_->on_room);
    for (auto& [waiter, f] : room) f();
  }
  void OnLifecycleMessageFullySent(dcsctp::LifecycleId id) override { outer_.OnLifecycleMessageFullySent(id); }
  void OnLifecycleMessageExpired(dcsctp::LifecycleId id, bool maybe_delivered) override {
    outer_.OnLifecycleMessageExpired(id, maybe_delivered);
  }
  void OnLifecycleMessageDelivered(dcsctp::LifecycleId id) override { outer_.OnLifecycleMessageDelivered(id); }
  void OnLifecycleEnd(dcsctp::LifecycleId id) override { outer_.OnLifecycleEnd(id); }

 private:
  dcsctp::DcSctpSocketCallbacks& outer_;
  std::function<void(StreamID)> on_low_;
  std::shared_ptr<SctpPath> path_;
};

// dcsctp's socket, except that ResetStreams of a stream with queued messages waits until they
// are all sent. Network thread.
class DrainingSocket : public ForwardingSctpSocket {
 public:
  DrainingSocket(absl::string_view log_prefix, dcsctp::DcSctpSocketCallbacks& outer,
                 std::unique_ptr<dcsctp::PacketObserver> observer, const dcsctp::DcSctpOptions& options,
                 std::shared_ptr<SctpPath> path)
      : callbacks_(outer, [this](StreamID s) { OnStreamDrained(s); }, std::move(path)),
        verifies_(!options.disable_checksum_verification) {
    dcsctp::DcSctpSocketFactory real;
    inner_ = real.Create(log_prefix, callbacks_, std::move(observer), options);
  }
  ~DrainingSocket() override { inner_.reset(); }  // before the callbacks it calls

  // The SACKs' window lowered to kMaxInFlight (sack_window.h).
  void ReceivePacket(rtc::ArrayView<const uint8_t> data) override {
    rtc::ArrayView<const uint8_t> packet = data;
    if (CapSackWindow(data, kMaxInFlight, capped_)) packet = capped_;
    SkipParsedChecksum skip(verifies_ ? 0 : packet.size());
    inner_->ReceivePacket(packet);
  }

  dcsctp::ResetStreamsStatus ResetStreams(rtc::ArrayView<const StreamID> streams) override {
    std::vector<StreamID> now;
    for (StreamID s : streams) {
      if (inner_->state() == dcsctp::SocketState::kConnected && inner_->buffered_amount(s) > 0)
        held_.insert(s);
      else
        now.push_back(s);
    }
    if (now.empty()) return dcsctp::ResetStreamsStatus::kPerformed;
    return inner_->ResetStreams(now);
  }

 private:
  void OnStreamDrained(StreamID s) {
    // Called from inside dcsctp: reset from a fresh task rather than re-entering it.
    if (held_.erase(s) == 0) return;
    rtc::Thread::Current()->PostTask(webrtc::SafeTask(safety_.flag(), [this, s] {
      inner_->ResetStreams(rtc::ArrayView<const StreamID>(&s, 1));
    }));
  }

  ForwardingCallbacks callbacks_;
  std::set<StreamID> held_;
  std::vector<uint8_t> capped_;  // a received packet with its SACK's window lowered
  const bool verifies_;  // else the CRC that Parse computes and ignores is skipped
  webrtc::ScopedTaskSafety safety_;  // a held reset still queued does not outlive the socket
};

// Our two decorators over dcsctp's socket: DcSctpTransport -> LoopbackAware -> Draining -> dcsctp.
class SocketFactory : public dcsctp::DcSctpSocketFactory {
 public:
  explicit SocketFactory(std::shared_ptr<SctpPath> path) : path_(std::move(path)) {}
  std::unique_ptr<dcsctp::DcSctpSocketInterface> Create(
      absl::string_view log_prefix, dcsctp::DcSctpSocketCallbacks& callbacks,
      std::unique_ptr<dcsctp::PacketObserver> packet_observer,
      const dcsctp::DcSctpOptions& given) override {
    dcsctp::DcSctpOptions options = given;
    // SACKs are changed on their way in (sack_window.h); DTLS authenticates every packet.
    options.disable_checksum_verification = true;
    std::string prefix(log_prefix);
    auto make = [prefix, &callbacks, path = path_](const dcsctp::DcSctpOptions& o,
                                                   std::unique_ptr<dcsctp::PacketObserver> p) {
      return std::make_unique<DrainingSocket>(prefix, callbacks, std::move(p), o, path);
    };
    return CreateLoopbackAwareSocket(path_, std::move(make), options, std::move(packet_observer));
  }

 private:
  std::shared_ptr<SctpPath> path_;
};

// libwebrtc's DcSctpTransport, telling the socket which transport it runs on.
class PathAwareSctpTransport : public webrtc::DcSctpTransport {
 public:
  PathAwareSctpTransport(rtc::Thread* network, rtc::PacketTransportInternal* transport, std::shared_ptr<SctpPath> path)
      : webrtc::DcSctpTransport(network, transport, webrtc::Clock::GetRealTimeClock(),
                                std::make_unique<SocketFactory>(path)),
        path_(std::move(path)) {
    path_->transport = transport;
  }
  ~PathAwareSctpTransport() override { path_->transport = nullptr; }
  SctpPath& path() { return *path_; }
  std::shared_ptr<SctpPath> shared_path() { return path_; }

  void SetDtlsTransport(rtc::PacketTransportInternal* transport) override {
    path_->transport = transport;
    webrtc::DcSctpTransport::SetDtlsTransport(transport);
  }

 private:
  std::shared_ptr<SctpPath> path_;
};

class SctpFactory : public webrtc::SctpTransportFactoryInterface {
 public:
  explicit SctpFactory(rtc::Thread* network) : network_(network) {}
  std::unique_ptr<cricket::SctpTransportInternal> CreateSctpTransport(
      rtc::PacketTransportInternal* transport) override {
    return std::make_unique<PathAwareSctpTransport>(network_, transport, std::make_shared<SctpPath>());
  }

 private:
  rtc::Thread* const network_;
};

}  // namespace

std::unique_ptr<webrtc::SctpTransportFactoryInterface> CreateSctpTransportFactory(rtc::Thread* network) {
  return std::make_unique<SctpFactory>(network);
}

void WhenSctpSendBufferHasRoom(cricket::SctpTransportInternal* transport, const void* waiter,
                               std::function<void()> room) {
  // SctpFactory is every runtime's factory (runtime.cc): its transports are all this class.
  static_cast<PathAwareSctpTransport*>(transport)->path().on_room[waiter] = std::move(room);
}

std::shared_ptr<SctpPath> SctpPathOf(cricket::SctpTransportInternal* transport) {
  return static_cast<PathAwareSctpTransport*>(transport)->shared_path();
}

void AddDirectReceiver(SctpPath& path, uint16_t sid, std::weak_ptr<DirectMessageReceiver> receiver) {
  DirectStream& stream = path.direct[sid];
  stream.receiver = std::move(receiver);
  stream.slow = std::make_shared<int>(1);
  // Messages libwebrtc took before now have their tasks queued: open the way behind them.
  rtc::Thread::Current()->PostTask([slow = stream.slow] { --*slow; });
}

void RemoveDirectReceiver(SctpPath& path, uint16_t sid, const DirectMessageReceiver* receiver) {
  auto it = path.direct.find(sid);
  if (it == path.direct.end()) return;
  std::shared_ptr<DirectMessageReceiver> r = it->second.receiver.lock();
  if (r == nullptr || r.get() == receiver) path.direct.erase(it);
}

}  // namespace nlw
