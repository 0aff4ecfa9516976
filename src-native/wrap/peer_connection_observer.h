// libwebrtc -> JS for one peer connection. Every callback arrives on the signaling thread, reads
// what it needs there, and posts one task; the task finds the wrapper through the Link.
#pragma once

#include <napi.h>

#include <atomic>
#include <memory>

#include "api/peer_connection_interface.h"
#include "bridge/link.h"
#include "runtime/runtime.h"
#include "wrap/transports.h"

namespace nlw {

class PeerConnection;

// What the wrapper and all its libwebrtc-side helpers share.
struct PeerConnectionShared {
  std::shared_ptr<Runtime> runtime;
  std::shared_ptr<Dispatcher> dispatcher;
  LinkPtr<PeerConnection> link = std::make_shared<Link<PeerConnection>>();
  std::shared_ptr<TransportWatcher> transports;
  // The proxy, for reading state on the signaling thread. Cleared (on the signaling thread)
  // before the wrapper lets the connection go.
  webrtc::PeerConnectionInterface* pc = nullptr;

  // Posts `fn` to run on the JS thread if the wrapper is still there.
  template <typename Fn>
  void ToJs(Fn fn) {
    dispatcher->Post([link = link, fn = std::move(fn)](Napi::Env env) mutable {
      if (PeerConnection* w = link->target) fn(w, env);
    });
  }
  // Signaling thread: start watching SCTP/DTLS/ICE once they exist.
  void AttachTransports();
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

 private:
  void EmitState(const char* type, const char* state);
  std::shared_ptr<PeerConnectionShared> shared_;
};

}  // namespace nlw
