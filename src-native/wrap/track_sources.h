// Non-standard sources fed from JS (lib/track_sources.ts RTCVideoSource / RTCAudioSource, the
// shapes of @roamhq/wrtc) and the frame conversions i420ToRgba / rgbaToI420.
//   NativeVideoSource: onFrame copies (or converts, with libyuv) the JS pixels once into a
//     libwebrtc buffer on the JS thread and hands it to media/pushed_video_source.h.
//   NativeAudioSource: onData hands the JS samples to media/pushed_audio_source.h, which calls its
//     sinks with 10 ms chunks straight from JS memory (a remainder is copied and kept).
// createTrack() makes a local track through Runtime::MediaFactory (MediaStreamTrack::NewLocal):
// a NativeMediaStreamTrack like the synthetic ones, so clone() and TrackFor() (other shards) use
// the same source. JS has checked every argument; these trust it (and only re-check sizes).
#pragma once

#include <napi.h>

#include <memory>

#include "common_video/include/video_frame_buffer_pool.h"

#include "runtime/runtime.h"
#include "wrap/media_stream_track.h"

namespace nlw {

class VideoSource : public Napi::ObjectWrap<VideoSource>, public NativeResource {
 public:
  static Napi::Function Define(Napi::Env env);  // JS class "NativeVideoSource"
  // new NativeVideoSource(isScreencast: boolean, needsDenoising: boolean | undefined)
  explicit VideoSource(const Napi::CallbackInfo& info);
  ~VideoSource() override;
  void ReleaseNative() override;

 private:
  Napi::Value CreateTrack(const Napi::CallbackInfo& info);
  // onFrame(width, height, format: 'I420'|'NV12'|'RGBA'|'BGRA', data: TypedArray, rotation,
  //         timestamp: µs | undefined) -> whether the source took it (false once released)
  Napi::Value OnFrame(const Napi::CallbackInfo& info);

  static constexpr size_t kMaxPooledFrames = 64;
  std::shared_ptr<Runtime> runtime_;
  std::shared_ptr<SyntheticSource> source_;
  std::unique_ptr<webrtc::VideoFrameBufferPool> pool_;  // JS thread
};

class AudioSource : public Napi::ObjectWrap<AudioSource>, public NativeResource {
 public:
  static Napi::Function Define(Napi::Env env);  // JS class "NativeAudioSource"
  explicit AudioSource(const Napi::CallbackInfo& info);
  ~AudioSource() override;
  void ReleaseNative() override;

 private:
  Napi::Value CreateTrack(const Napi::CallbackInfo& info);
  // onData(samples: Int16Array, sampleRate, channelCount, numberOfFrames, timestamp: µs | undefined)
  Napi::Value OnData(const Napi::CallbackInfo& info);

  std::shared_ptr<Runtime> runtime_;
  std::shared_ptr<SyntheticSource> source_;
};

// i420ToRgba(i420: Uint8Array-like, rgba: Uint8Array-like, width, height) and
// rgbaToI420(rgba, i420, width, height): libyuv, BT.601 limited range; RGBA in byte order.
Napi::Value I420ToRgba(const Napi::CallbackInfo& info);
Napi::Value RgbaToI420(const Napi::CallbackInfo& info);

}  // namespace nlw
