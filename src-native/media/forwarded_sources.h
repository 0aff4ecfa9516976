// Sources that carry another shard's track into a connection of this shard (a remote track relayed
// to a connection on another shard thread). libwebrtc's remote sources check that they are used
// from their own connection's signaling thread; a sender on another shard would abort there. These
// subscribe to the track through its proxy (which hops to its own thread) and hand the frames or
// samples to their own sinks, from whichever thread delivers them.
#pragma once

#include <mutex>
#include <vector>

#include "api/media_stream_interface.h"
#include "api/notifier.h"
#include "media/base/adapted_video_track_source.h"
#include "media/audio_sink_list.h"

namespace nlw {

class ForwardedVideoSource : public rtc::AdaptedVideoTrackSource,
                             public rtc::VideoSinkInterface<webrtc::VideoFrame> {
 public:
  // `from`: a video track (proxy) of another factory. Subscribes at once.
  static rtc::scoped_refptr<ForwardedVideoSource> Create(rtc::scoped_refptr<webrtc::VideoTrackInterface> from);

  void OnFrame(const webrtc::VideoFrame& frame) override { rtc::AdaptedVideoTrackSource::OnFrame(frame); }
  SourceState state() const override { return kLive; }
  bool remote() const override { return false; }
  bool is_screencast() const override { return false; }
  absl::optional<bool> needs_denoising() const override { return false; }

 protected:
  explicit ForwardedVideoSource(rtc::scoped_refptr<webrtc::VideoTrackInterface> from);
  ~ForwardedVideoSource() override;  // unsubscribes (a blocking hop to the track's thread)

 private:
  rtc::scoped_refptr<webrtc::VideoTrackInterface> from_;
};

class ForwardedAudioSource : public webrtc::Notifier<webrtc::AudioSourceInterface>,
                             public webrtc::AudioTrackSinkInterface {
 public:
  static rtc::scoped_refptr<ForwardedAudioSource> Create(rtc::scoped_refptr<webrtc::AudioTrackInterface> from);

  // AudioTrackSinkInterface: the relayed track's 10 ms chunks, on its decoding thread.
  void OnData(const void* audio_data, int bits_per_sample, int sample_rate, size_t number_of_channels,
              size_t number_of_frames) override;
  // AudioSourceInterface
  SourceState state() const override { return kLive; }
  bool remote() const override { return false; }
  void AddSink(webrtc::AudioTrackSinkInterface* sink) override;
  void RemoveSink(webrtc::AudioTrackSinkInterface* sink) override;

 protected:
  explicit ForwardedAudioSource(rtc::scoped_refptr<webrtc::AudioTrackInterface> from);
  ~ForwardedAudioSource() override;

 private:
  rtc::scoped_refptr<webrtc::AudioTrackInterface> from_;
  AudioSinkList sinks_;
};

}  // namespace nlw
