// RTCPeerConnection's native half (lib/RTCPeerConnection.ts is the spec object). Methods map
// 1:1 to libwebrtc; every asynchronous result comes back through the dispatcher, in libwebrtc's
// order, so events and promise settlements reach JS in the order libwebrtc produced them.
#pragma once

#include <napi.h>

#include <memory>
#include <set>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "api/peer_connection_interface.h"
#include "runtime/runtime.h"
#include "wrap/peer_connection_observer.h"

namespace nlw {

struct TransceiverState;

class PeerConnection : public Napi::ObjectWrap<PeerConnection>, public NativeResource {
 public:
  static Napi::Function Define(Napi::Env env);

  // new PeerConnection(configuration, onEvent(type, ...args))
  explicit PeerConnection(const Napi::CallbackInfo& info);
  ~PeerConnection() override;
  void ReleaseNative() override;

  void Emit(Napi::Env env, std::initializer_list<napi_value> args);
  // JS thread: transceiver states as JS reconciles them; the first time an id is seen the state
  // carries its NativeRtpTransceiver and the receiver's NativeMediaStreamTrack.
  Napi::Array TransceiversToJs(Napi::Env env, const std::vector<TransceiverState>& states);

 private:
  Napi::Value CreateOffer(const Napi::CallbackInfo& info);
  Napi::Value CreateAnswer(const Napi::CallbackInfo& info);
  Napi::Value SetLocalDescription(const Napi::CallbackInfo& info);
  Napi::Value SetRemoteDescription(const Napi::CallbackInfo& info);
  Napi::Value AddIceCandidate(const Napi::CallbackInfo& info);
  Napi::Value CreateDataChannel(const Napi::CallbackInfo& info);
  Napi::Value SetConfiguration(const Napi::CallbackInfo& info);
  Napi::Value ShouldFireNegotiationNeeded(const Napi::CallbackInfo& info);
  Napi::Value RestartIce(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value AddTrack(const Napi::CallbackInfo& info);
  Napi::Value AddTransceiver(const Napi::CallbackInfo& info);
  Napi::Value RemoveTrack(const Napi::CallbackInfo& info);
  Napi::Value Transceivers(const Napi::CallbackInfo& info);
  Napi::Value GetStats(const Napi::CallbackInfo& info);

  // JS thread: { id, transceivers } with the id of the first transceiver `match` accepts (read on
  // the signaling thread), -1 if none.
  Napi::Value TransceiversWith(Napi::Env env,
                               absl::AnyInvocable<bool(webrtc::RtpTransceiverInterface*)> match);

  // Signaling thread: closes and drops the libwebrtc connection (ReleaseNative's work).
  static void DestroyConnection(std::shared_ptr<PeerConnectionShared> shared,
                                rtc::scoped_refptr<webrtc::PeerConnectionInterface> pc,
                                std::unique_ptr<PeerConnectionObserver> observer);

  // Queues `op` on the signaling thread, with the connection (not closed).
  void OnSignaling(absl::AnyInvocable<void(webrtc::PeerConnectionInterface*) &&> op);

  // close() (or shutdown) released the connection.
  bool Closed() const { return pc_ == nullptr; }

  std::shared_ptr<PeerConnectionShared> shared_;
  std::unique_ptr<PeerConnectionObserver> observer_;
  rtc::scoped_refptr<webrtc::PeerConnectionInterface> pc_;
  Napi::FunctionReference on_event_;
  bool keeping_alive_ = false;
  std::set<uint32_t> delivered_transceivers_;  // ids JS has a NativeRtpTransceiver for
};

}  // namespace nlw
