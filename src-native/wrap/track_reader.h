// The native half of MediaStreamTrackProcessor (lib/MediaStreamTrackProcessor.ts): a sink on a
// track that keeps up to `maxBufferSize` frames (video) or 10 ms chunks (audio) until JS reads
// them, dropping the oldest beyond that (mediacapture-transform's queue, kept here so that
// frames JS never asks for are never copied or wrapped).
//   read() -> the oldest queued item, or undefined:
//     video: { data: ArrayBuffer, offsets: [y, u, v], strides: [y, u, v], codedWidth,
//              codedHeight, timestamp (µs), rotation }
//            `data` is an external ArrayBuffer over the decoder's own I420 memory (no copy; it
//            holds the buffer until detached or collected, media/frame_memory.h).
//     audio: { data: ArrayBuffer (s16 interleaved, owned), sampleRate, numberOfChannels,
//              numberOfFrames, timestamp (µs) }
//   onReady() is called (through the dispatcher) when an item arrives in an empty queue.
//   dropped(): items dropped so far because JS read too slowly. stop(): no callback after it.
#pragma once

#include <napi.h>

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/types/optional.h"
#include "api/media_stream_interface.h"
#include "api/video/video_frame.h"
#include "api/video/video_sink_interface.h"
#include "bridge/link.h"
#include "media/track_consumer.h"
#include "runtime/runtime.h"

namespace nlw {

class TrackReader;

class ReaderCore : public rtc::VideoSinkInterface<webrtc::VideoFrame>,
                   public webrtc::AudioTrackSinkInterface,
                   public std::enable_shared_from_this<ReaderCore> {
 public:
  struct AudioChunk {
    std::vector<int16_t> samples;
    int sample_rate;
    size_t channels, frames;
    int64_t timestamp_us;
  };

  // `enabled`: the track's enabled flag (a disabled track renders silence; libwebrtc's remote audio
  // track gives its sinks the decoded audio whatever its flag).
  ReaderCore(std::shared_ptr<Dispatcher> dispatcher, rtc::scoped_refptr<webrtc::MediaStreamTrackInterface> track,
             size_t max_items, std::shared_ptr<std::atomic<bool>> enabled);
  void Start();  // JS thread
  void Stop();   // JS thread: no callback runs after it returns
  const LinkPtr<TrackReader>& link() const { return link_; }

  // Any thread. The oldest queued item (none: both empty).
  absl::optional<webrtc::VideoFrame> TakeVideo();
  absl::optional<AudioChunk> TakeAudio();
  double dropped();

  void OnFrame(const webrtc::VideoFrame& frame) override;
  void OnData(const void* audio_data, int bits_per_sample, int sample_rate, size_t number_of_channels,
              size_t number_of_frames) override;
  void OnData(const void* audio_data, int bits_per_sample, int sample_rate, size_t number_of_channels,
              size_t number_of_frames, absl::optional<int64_t> absolute_capture_timestamp_ms) override;

 private:
  void NotifyLocked();  // under mu_

  std::shared_ptr<Dispatcher> dispatcher_;
  rtc::scoped_refptr<webrtc::MediaStreamTrackInterface> track_;
  const bool video_;
  const size_t max_items_;
  const std::shared_ptr<std::atomic<bool>> enabled_;
  bool started_ = false;  // JS thread
  TrackConsumer consumer_;  // JS thread: attached to the track, holding its decode demand
  LinkPtr<TrackReader> link_;

  std::mutex mu_;
  std::deque<webrtc::VideoFrame> frames_;  // under mu_
  std::deque<AudioChunk> chunks_;         // under mu_
  double dropped_ = 0;                    // under mu_
  bool posted_ = false;                   // under mu_
  absl::optional<int64_t> next_audio_us_;  // audio callback thread: time of the next chunk without a capture time
};

class TrackReader : public Napi::ObjectWrap<TrackReader>, public NativeResource {
 public:
  static Napi::Function Define(Napi::Env env);  // JS class "NativeTrackReader"
  // new NativeTrackReader(nativeTrack, maxBufferSize, onReady)
  explicit TrackReader(const Napi::CallbackInfo& info);
  ~TrackReader() override;
  void ReleaseNative() override;
  void Ready();  // JS thread, from the core

 private:
  Napi::Value Read(const Napi::CallbackInfo& info);
  Napi::Value Dropped(const Napi::CallbackInfo& info);
  void Stop(const Napi::CallbackInfo& info);

  std::shared_ptr<Runtime> runtime_;
  std::shared_ptr<ReaderCore> core_;
  bool video_ = false;
  Napi::FunctionReference on_ready_;
};

}  // namespace nlw
