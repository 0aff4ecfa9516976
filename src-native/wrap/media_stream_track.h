// MediaStreamTrack's native half (lib/MediaStreamTrack.ts keeps readyState, muted, constraints
// and events). Wraps one libwebrtc track (a proxy bound to its factory's signaling thread: the
// few calls here are blocking hops to it) and, for local synthetic tracks, holds the source.
// A synthetic source is shared by a track and its clones; it stops when no live track uses it.
#pragma once

#include <napi.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>

#include "api/media_stream_interface.h"
#include "api/rtp_transceiver_interface.h"
#include "media/decode_gate.h"
#include "media/audio_demand.h"
#include "media/pushed_audio_source.h"
#include "media/pushed_video_source.h"
#include "media/relay_audio_source.h"
#include "media/forward_gate.h"
#include "media/rtp_forwarder.h"
#include "media/relay_video_source.h"
#include "media/remote_track_info.h"
#include "media/synthetic_audio_source.h"
#include "media/synthetic_video_source.h"
#include "runtime/runtime.h"

namespace nlw {

struct PeerConnectionShared;

// The source behind local tracks, counted by the live tracks that use it: a synthetic device's
// (stopped when no live track uses it), or one fed by the application (nonstandard RTCVideoSource
// and RTCAudioSource, wrap/track_sources.h: it lives on, a new createTrack() may use it again).
struct SyntheticSource {
  rtc::scoped_refptr<SyntheticVideoSource> video;
  rtc::scoped_refptr<SyntheticAudioSource> audio;
  rtc::scoped_refptr<PushedVideoSource> pushed_video;
  rtc::scoped_refptr<PushedAudioSource> pushed_audio;
  int live_tracks = 0;  // JS thread
  void Stop();
  // The libwebrtc source a new track over this one uses (null for the other kind).
  webrtc::VideoTrackSourceInterface* video_source() const {
    return video ? static_cast<webrtc::VideoTrackSourceInterface*>(video.get()) : pushed_video.get();
  }
  webrtc::AudioSourceInterface* audio_source() const {
    return audio ? static_cast<webrtc::AudioSourceInterface*>(audio.get()) : pushed_audio.get();
  }
};

class MediaStreamTrack : public Napi::ObjectWrap<MediaStreamTrack>, public NativeResource {
 public:
  static Napi::Function Define(Napi::Env env);  // JS class "NativeMediaStreamTrack"
  // JS thread: a new JS object over a libwebrtc track (remote tracks of receivers use this).
  // `home`: the factory of the connection the track came from (a relay to a connection of another
  // factory forwards it, see TrackFor).
  // `receiver`: the track's receiver, whose Opus packets a relay forwards (media/relay_audio_source.h).
  static Napi::Object NewInstance(Napi::Env env, rtc::scoped_refptr<webrtc::MediaStreamTrackInterface> track,
                                  webrtc::PeerConnectionFactoryInterface* home = nullptr,
                                  rtc::scoped_refptr<webrtc::RtpReceiverInterface> receiver = nullptr,
                                  const std::shared_ptr<PeerConnectionShared>& home_pc = nullptr);
  // JS thread: the wrapper inside `value`, or nullptr if it is not a NativeMediaStreamTrack.
  static MediaStreamTrack* Unwrap(Napi::Value value);
  // JS thread: createSyntheticVideoTrack({width, height, frameRate}) and
  // createSyntheticAudioTrack({sampleRate, channelCount, frequency}) of the binding.
  static Napi::Value CreateSyntheticVideoTrack(const Napi::CallbackInfo& info);
  static Napi::Value CreateSyntheticAudioTrack(const Napi::CallbackInfo& info);
  // JS thread: a new local track (new id) over `source`, made by Runtime::MediaFactory. Throws
  // (and returns undefined) on failure.
  static Napi::Value NewLocal(Napi::Env env, const std::shared_ptr<SyntheticSource>& source);

  explicit MediaStreamTrack(const Napi::CallbackInfo& info);
  ~MediaStreamTrack() override;
  void ReleaseNative() override;

  // JS thread. Null once released (stop() keeps it: a sender may still hold the track).
  rtc::scoped_refptr<webrtc::MediaStreamTrackInterface> track() const { return track_; }
  // Whether the JS track is enabled, for its readers on other threads (RTCAudioSink gives
  // silence while it is not). libwebrtc's own flag is not enough: a remote audio track with a
  // receive transform keeps it set and carries "disabled" in its source's volume (SetEnabled).
  const std::shared_ptr<std::atomic<bool>>& enabled_flag() const { return enabled_; }

  // JS thread. The libwebrtc track to hand to a connection made by `factory` (a sender's track).
  // libwebrtc tracks are bound to the threads of the factory that made them, and a sender calls
  // back from its track on its own signaling thread: a local track is made on shard 0's factory
  // (Runtime::MediaFactory), so a connection on another shard gets a track of its own factory over
  // the same synthetic source, with the same id, kept in step (enabled, stop). Remote tracks and
  // tracks of `factory` itself: track(). Null once released.
  //
  // A remote video track, unless `forward_encoded` is false: a track of `factory` over this
  // track's RelayVideoSource (media/relay_video_source.h), whose pictures the sender forwards
  // without decoding and encoding them again when its codec allows (issue 17).
  //
  // A remote audio track, unless `forward_encoded` is false: a new track of `factory` (one per
  // call: one per sender) over a RelayAudioFeed (media/relay_audio_source.h), given in `*feed`;
  // the caller binds it to its sender (AudioForwardRoute::Bind) so that Opus is forwarded.
  //
  // With RTP forwarding on (media/rtp_forwarder.h), a remote track's sender also gets a track of
  // its own behind a ForwardGate, and `*forward` says where the publisher's packets come from; the
  // caller binds it to its sender (RtpForwarder::Bind).
  rtc::scoped_refptr<webrtc::MediaStreamTrackInterface> TrackFor(webrtc::PeerConnectionFactoryInterface* factory,
                                                                 bool forward_encoded = true,
                                                                 rtc::scoped_refptr<RelayAudioFeed>* feed = nullptr,
                                                                 std::shared_ptr<ForwardSource>* forward = nullptr);

 private:
  static Napi::Object NewWith(Napi::Env env, rtc::scoped_refptr<webrtc::MediaStreamTrackInterface> track,
                              std::shared_ptr<SyntheticSource> source,
                              webrtc::PeerConnectionFactoryInterface* home = nullptr);

  Napi::Value Kind(const Napi::CallbackInfo& info);
  Napi::Value Id(const Napi::CallbackInfo& info);
  void SetEnabled(const Napi::CallbackInfo& info);
  void Stop(const Napi::CallbackInfo& info);
  Napi::Value Clone(const Napi::CallbackInfo& info);
  Napi::Value Settings(const Napi::CallbackInfo& info);
  void ApplyConstraints(const Napi::CallbackInfo& info);
  void SetContentHint(const Napi::CallbackInfo& info);

  void EndUse();  // this track no longer uses its synthetic source

  std::shared_ptr<Runtime> runtime_;
  rtc::scoped_refptr<webrtc::MediaStreamTrackInterface> track_;
  std::shared_ptr<SyntheticSource> source_;
  std::string kind_, id_;  // read once: no hop for the getters
  std::shared_ptr<std::atomic<bool>> enabled_ = std::make_shared<std::atomic<bool>>(true);
  // For synthetic tracks: the factory that made track_, and the tracks made for other factories.
  webrtc::PeerConnectionFactoryInterface* home_factory_ = nullptr;
  std::map<webrtc::PeerConnectionFactoryInterface*, rtc::scoped_refptr<webrtc::MediaStreamTrackInterface>> others_;
  // Remote video tracks sent on with forwarding: the one relay source and a track over it per factory.
  rtc::scoped_refptr<RelayVideoSource> relay_;
  std::map<webrtc::PeerConnectionFactoryInterface*, rtc::scoped_refptr<webrtc::MediaStreamTrackInterface>> relay_tracks_;
  // Remote audio tracks: the receiver, and the relay source once sent on with forwarding.
  // The connection is not kept: its transceiver is looked up when the track is first relayed.
  rtc::scoped_refptr<webrtc::RtpReceiverInterface> receiver_;
  std::weak_ptr<PeerConnectionShared> home_pc_;
  rtc::scoped_refptr<RelayAudioSource> relay_audio_;
  // RTP forwarding (media/rtp_forwarder.h): the per-sender tracks made for it, kept for
  // set_enabled; and the publisher's side, shared by them.
  struct ForwardTrack {
    rtc::scoped_refptr<webrtc::MediaStreamTrackInterface> track;
    rtc::scoped_refptr<GatedVideoSource> source;
  };
  std::vector<ForwardTrack> forward_tracks_;  // pruned when their senders let them go
  std::shared_ptr<ForwardSource> ForwardSourceOf(bool audio);
  // Remote tracks: what getSettings() reports (NewInstance installs it).
  std::unique_ptr<RemoteTrackInfo> remote_info_;
  // A remote video track's decode gate (media/decode_gate.h); pinned open once libwebrtc itself
  // takes its pictures (a sender given this track, a clone).
  rtc::scoped_refptr<DecodeGate> gate_;
  bool gate_pinned_ = false;
  void PinGate();
  // A remote audio track once sent on (TrackFor): its senders read it, so it stays decoded while
  // this wrapper lives (a sender holds its track; not released at removeTrack/replaceTrack).
  AudioDemand::Hold sent_demand_;
  bool using_source_ = false;
};

}  // namespace nlw
