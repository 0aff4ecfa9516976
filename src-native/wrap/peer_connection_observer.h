// libwebrtc -> JS for one peer connection. Every callback arrives on the signaling thread, reads
// what it needs there, and posts one task; the task finds the wrapper through the Link.
#pragma once

#include <napi.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "api/peer_connection_interface.h"
#include "bridge/link.h"
#include "convert/sdp.h"
#include "runtime/network_thread.h"
#include "runtime/runtime.h"
#include "wrap/transports.h"

namespace nlw {

class PeerConnection;

class DataChannelCore;
class DtmfToneWatch;

// What the wrapper and all its libwebrtc-side helpers share.
struct PeerConnectionShared : std::enable_shared_from_this<PeerConnectionShared> {
  std::shared_ptr<Runtime> runtime;
  std::shared_ptr<Dispatcher> dispatcher;
  // The connection's shard thread (owned by the runtime): libwebrtc's network thread and also its
  // signaling thread, where every operation and observer callback of the connection runs.
  NetworkThread* network_thread = nullptr;
  rtc::Thread* signaling_thread() const { return network_thread; }
  uint64_t network_token = 0;  // NetworkThread::ConnectionOpened
  // The shard's factory (owned by the runtime): local tracks are sent as tracks of it
  // (MediaStreamTrack::TrackFor).
  webrtc::PeerConnectionFactoryInterface* factory = nullptr;
  LinkPtr<PeerConnection> link = std::make_shared<Link<PeerConnection>>();
  std::shared_ptr<TransportWatcher> transports;
  // The proxy, for reading state on the signaling thread. Cleared (on the signaling thread)
  // before the wrapper lets the connection go.
  webrtc::PeerConnectionInterface* pc = nullptr;
  // The PeerConnection behind the proxy, for what the proxy would fetch with a blocking hop: set
  // and cleared with `pc`.
  webrtc::PeerConnectionInternal* internal = nullptr;
  // Candidates (and the gathering state) must not reach JS before the setLocalDescription that
  // started gathering has resolved; libwebrtc may find one first. While local descriptions are
  // being applied their events wait here (signaling thread), in order.
  std::atomic<int> local_pending{0};
  std::vector<JsTask> held;  // signaling thread
  uint64_t snapshot_seq = 0;  // signaling thread
  // libwebrtc's SCTP transport as of the last FollowSctp answer, or null (signaling thread). Data
  // channels send through it (DataChannelCore::SendDirect); cleared when the connection closes.
  rtc::scoped_refptr<webrtc::SctpTransportInterface> sctp;
  std::mutex channels_mu;
  std::vector<std::weak_ptr<DataChannelCore>> channels;  // still without an id; under channels_mu

  // Media (signaling thread). Every transceiver gets a number JS knows it by; the map keeps the
  // ones libwebrtc still has (wrap/rtp_transceiver.cc TransceiverState::TakeAll).
  struct KnownTransceiver {
    uint32_t id = 0;
    rtc::scoped_refptr<webrtc::RtpTransceiverInterface> ref;
  };
  std::map<webrtc::RtpTransceiverInterface*, KnownTransceiver> transceiver_ids;
  uint32_t next_transceiver_id = 1;
  // Receivers call these until they are destroyed, which happens with the connection.
  std::vector<std::shared_ptr<webrtc::RtpReceiverObserverInterface>> receiver_observers;
  // Audio senders' DTMF watches (wrap/dtmf_sender.h), stopped when the connection closes.
  std::vector<std::shared_ptr<DtmfToneWatch>> dtmf_watches;
  // libwebrtc's OnTrack / OnRemoveTrack since the last description completed.
  std::vector<rtc::scoped_refptr<webrtc::RtpTransceiverInterface>> tracks_added;
  std::vector<rtc::scoped_refptr<webrtc::RtpReceiverInterface>> tracks_removed;
  // Signaling thread, as a description completes (before its promise task): the transceivers
  // and the track changes, in one 'transceivers' event.
  void EmitTransceivers();
  // Any thread: a receiver's first packet arrived ('unmute' event).
  void EmitUnmute(uint32_t transceiver_id);

  // Posts `fn` to run on the JS thread if the wrapper is still there.
  template <typename Fn>
  void ToJs(Fn fn, bool after_local_description = false) {
    JsTask task = [link = link, fn = std::move(fn)](Napi::Env env) mutable {
      if (PeerConnection* w = link->target) fn(w, env);
    };
    if (after_local_description && local_pending.load() > 0) held.push_back(std::move(task));
    else dispatcher->Post(std::move(task));
  }
  // Signaling thread: a local description finished applying (after its promise task was queued).
  void LocalDescriptionDone();
  // Signaling thread, after a description is applied: reads the SCTP transport on the network
  // thread without waiting for it (`sctp` gets the answer), and starts watching SCTP/DTLS/ICE the
  // first time there is one. The proxy's GetSctpTransport() is a blocking hop that waits behind
  // whatever that thread is doing: during a handshake, 0.4-1.7 ms of each description (traced).
  void FollowSctp();
  // Any thread: a channel of this connection, whose stream id RefreshChannelIds records.
  void AddChannel(const std::shared_ptr<DataChannelCore>& channel);
  // Signaling thread, as a description is applied (libwebrtc gives stream ids then).
  void RefreshChannelIds();
  // Signaling thread: whether the connection has an SCTP transport, from libwebrtc's own
  // signaling-thread record of it (no hop).
  bool HasSctp() const;
  // Signaling thread: the snapshot JS applies with the next event or settlement (pc must be set).
  SignalingSnapshot Snapshot() { return SignalingSnapshot::Take(pc, ++snapshot_seq, HasSctp()); }
};

class PeerConnectionObserver : public webrtc::PeerConnectionObserver {
 public:
  explicit PeerConnectionObserver(std::shared_ptr<PeerConnectionShared> shared)
      : shared_(std::move(shared)) {}

  void OnSignalingChange(webrtc::PeerConnectionInterface::SignalingState state) override;
  void OnDataChannel(rtc::scoped_refptr<webrtc::DataChannelInterface> channel) override;
  void OnNegotiationNeededEvent(uint32_t event_id) override;
  void OnIceConnectionChange(webrtc::PeerConnectionInterface::IceConnectionState) override {}
  void OnStandardizedIceConnectionChange(
      webrtc::PeerConnectionInterface::IceConnectionState state) override;
  void OnConnectionChange(webrtc::PeerConnectionInterface::PeerConnectionState state) override;
  void OnIceGatheringChange(webrtc::PeerConnectionInterface::IceGatheringState state) override;
  void OnIceCandidate(const webrtc::IceCandidateInterface* candidate) override;
  void OnIceCandidateError(const std::string& address, int port, const std::string& url,
                           int error_code, const std::string& error_text) override;
  void OnIceSelectedCandidatePairChanged(const cricket::CandidatePairChangeEvent& event) override;
  void OnTrack(rtc::scoped_refptr<webrtc::RtpTransceiverInterface> transceiver) override;
  void OnRemoveTrack(rtc::scoped_refptr<webrtc::RtpReceiverInterface> receiver) override;

 private:
  void EmitState(const char* type, const char* state);
  std::shared_ptr<PeerConnectionShared> shared_;
};

}  // namespace nlw
