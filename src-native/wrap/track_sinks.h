// Non-standard sinks on a track (lib/nonstandard.ts RTCVideoSink / RTCAudioSink, the shapes of
// @roamhq/wrtc): decoded frames and samples cross to JS through the dispatcher.
//   video: the newest frame only, lent without a copy when its planes lie packed (media/frame_memory). A frame that arrives while one is waiting for the JS thread
//          replaces it: a slow consumer sees fewer frames, never a growing backlog.
//   audio: every 10 ms chunk, in order, up to one second queued; older chunks are dropped past
//          that (a JS thread stalled for a second). While the track is disabled the chunks come
//          as before, all zeros (Chromium renders a disabled track as silence).
#pragma once

#include <napi.h>

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "api/media_stream_interface.h"
#include "api/video/video_frame.h"
#include "api/video/video_sink_interface.h"
#include "bridge/link.h"
#include "media/track_consumer.h"
#include "runtime/runtime.h"

namespace nlw {

class TrackSink;

// Receives from libwebrtc threads; lives as long as a queued task or the wrapper needs it.
class SinkCore : public rtc::VideoSinkInterface<webrtc::VideoFrame>,
                 public webrtc::AudioTrackSinkInterface,
                 public std::enable_shared_from_this<SinkCore> {
 public:
  // `enabled`: the JS track's enabled flag (MediaStreamTrack::enabled_flag); audio is silence
  // while it is false, as a browser renders a disabled track (mediacapture-streams).
  SinkCore(std::shared_ptr<Dispatcher> dispatcher, rtc::scoped_refptr<webrtc::MediaStreamTrackInterface> track,
           std::shared_ptr<std::atomic<bool>> enabled);

  void Start();  // JS thread: registers with the track (a blocking hop to its thread)
  void Stop();   // JS thread: unregisters; no callback runs after it returns
  const LinkPtr<TrackSink>& link() const { return link_; }

  // rtc::VideoSinkInterface (a libwebrtc or ticker thread)
  void OnFrame(const webrtc::VideoFrame& frame) override;
  // webrtc::AudioTrackSinkInterface (a libwebrtc or ticker thread)
  void OnData(const void* audio_data, int bits_per_sample, int sample_rate, size_t number_of_channels,
              size_t number_of_frames) override;

 private:
  struct AudioChunk {
    std::vector<int16_t> samples;
    int sample_rate;
    size_t channels, frames;
  };
  void DeliverVideo(Napi::Env env);  // JS thread
  void DeliverAudio(Napi::Env env);  // JS thread

  std::shared_ptr<Dispatcher> dispatcher_;
  rtc::scoped_refptr<webrtc::MediaStreamTrackInterface> track_;
  bool video_;
  std::shared_ptr<std::atomic<bool>> enabled_;
  bool started_ = false;  // JS thread
  TrackConsumer consumer_;  // JS thread: attached to the track, holding its decode demand
  LinkPtr<TrackSink> link_;

  std::mutex mu_;
  absl::optional<webrtc::VideoFrame> pending_frame_;  // under mu_
  std::deque<AudioChunk> pending_audio_;              // under mu_
  bool posted_ = false;                               // under mu_
};

class TrackSink : public Napi::ObjectWrap<TrackSink>, public NativeResource {
 public:
  static Napi::Function Define(Napi::Env env);  // JS class "NativeTrackSink"
  // new NativeTrackSink(nativeTrack, onEvent): onEvent('frame', {width, height, data, rotation,
  // timestamp}) or onEvent('data', {samples, sampleRate, bitsPerSample, channelCount, numberOfFrames}).
  explicit TrackSink(const Napi::CallbackInfo& info);
  ~TrackSink() override;
  void ReleaseNative() override;

  void Emit(std::initializer_list<napi_value> args);

 private:
  void Stop(const Napi::CallbackInfo& info);

  std::shared_ptr<Runtime> runtime_;
  std::shared_ptr<SinkCore> core_;
  Napi::FunctionReference on_event_;
};

}  // namespace nlw
