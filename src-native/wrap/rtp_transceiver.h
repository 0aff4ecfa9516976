// RTCRtpTransceiver's native half, with the sender and receiver calls that go through it
// (lib/RTCRtpTransceiver.ts, RTCRtpSender.ts, RTCRtpReceiver.ts are the spec objects). Calls go
// through libwebrtc's proxies: each is a blocking hop to the connection's signaling thread, which
// webrtc-pc's synchronous members (direction, stop(), setCodecPreferences) need anyway.
#pragma once

#include <napi.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/peer_connection_interface.h"
#include "api/rtp_transceiver_interface.h"
#include "media/encoded_frame_bridge.h"
#include "media/audio_demand.h"
#include "runtime/runtime.h"

namespace nlw {

struct PeerConnectionShared;

// One transceiver as JS caches it, read on the signaling thread.
struct TransceiverState {
  uint32_t id = 0;  // stable for the life of the connection (PeerConnectionShared::transceiver_ids)
  rtc::scoped_refptr<webrtc::RtpTransceiverInterface> transceiver;
  std::string kind;
  std::optional<std::string> mid;
  std::string direction;
  std::optional<std::string> current_direction;
  bool stopped = false;
  bool stopping = false;
  std::vector<std::string> receiver_stream_ids;
  rtc::scoped_refptr<webrtc::MediaStreamTrackInterface> receiver_track;
  rtc::scoped_refptr<webrtc::RtpReceiverInterface> receiver;  // a relayed audio track taps it

  // Signaling thread: every transceiver of the connection, in libwebrtc's (creation) order.
  static std::vector<TransceiverState> TakeAll(PeerConnectionShared* shared);
};

const char* DirectionName(webrtc::RtpTransceiverDirection d);
// The strings of a JS array (stream ids); other values and non-arrays give nothing.
std::vector<std::string> StringList(Napi::Value v);
bool DirectionFromName(const std::string& name, webrtc::RtpTransceiverDirection* out);

class RtpTransceiver : public Napi::ObjectWrap<RtpTransceiver>, public NativeResource {
 public:
  static Napi::Function Define(Napi::Env env);
  // `signaling`: the connection's signaling thread, where the proxy is released.
  static Napi::Object NewInstance(Napi::Env env, rtc::scoped_refptr<webrtc::RtpTransceiverInterface> t,
                                  rtc::Thread* signaling, webrtc::PeerConnectionFactoryInterface* factory,
                                  std::shared_ptr<bool> forward_encoded_video,
                                  std::weak_ptr<PeerConnectionShared> pc = {});
  static RtpTransceiver* Unwrap(Napi::Value value);

  explicit RtpTransceiver(const Napi::CallbackInfo& info);
  ~RtpTransceiver() override;
  void ReleaseNative() override;

  webrtc::RtpTransceiverInterface* transceiver() const { return transceiver_.get(); }
  // The transceiver for holders that must not keep it alive (encoded-transform bridges): emptied
  // when this wrapper releases it. Null once released.
  std::shared_ptr<TransceiverLink> Link();
  // The connection's signaling thread (the runtime owns it).
  rtc::Thread* signaling() const { return signaling_; }

 private:
  Napi::Value SetDirection(const Napi::CallbackInfo& info);
  Napi::Value Stop(const Napi::CallbackInfo& info);
  Napi::Value SetCodecPreferences(const Napi::CallbackInfo& info);
  Napi::Value ReplaceTrack(const Napi::CallbackInfo& info);
  Napi::Value SetStreams(const Napi::CallbackInfo& info);
  Napi::Value SenderParameters(const Napi::CallbackInfo& info);
  Napi::Value SetSenderParameters(const Napi::CallbackInfo& info);
  Napi::Value ReceiverParameters(const Napi::CallbackInfo& info);
  Napi::Value Sources(const Napi::CallbackInfo& info);
  void WatchAudio(const Napi::CallbackInfo& info);
  Napi::Value SetJitterBufferTarget(const Napi::CallbackInfo& info);
  Napi::Value SenderStreamIds(const Napi::CallbackInfo& info);
  Napi::Value CanInsertDtmf(const Napi::CallbackInfo& info);
  Napi::Value InsertDtmf(const Napi::CallbackInfo& info);
  Napi::Value Release(const Napi::CallbackInfo& info);

  // False (and throws InvalidStateError) once released.
  bool Live(Napi::Env env);

  rtc::scoped_refptr<webrtc::RtpTransceiverInterface> transceiver_;
  std::shared_ptr<TransceiverLink> link_;  // made by Link()
  // watchAudio(true): the receiver's audio is decoded (media/audio_demand.h) while JS waits for
  // its packets to play out again (lib/remote_unmute.ts reads them in the sources).
  AudioDemand::Hold watch_demand_;
  rtc::Thread* signaling_ = nullptr;  // owned by the runtime, which outlives this (Register)
  webrtc::PeerConnectionFactoryInterface* factory_ = nullptr;  // the connection's shard's
  std::shared_ptr<bool> forward_encoded_video_;  // the connection's (PeerConnectionShared)
  std::weak_ptr<PeerConnectionShared> pc_;       // RTP forwarding of a relayed track (replaceTrack)
  std::shared_ptr<Runtime> runtime_;
};

}  // namespace nlw
