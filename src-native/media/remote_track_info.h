// What getSettings() reports for a remote track: the size and rate of the frames it delivers, the
// rate and channels of its audio. A sink on the track that only records (atomics, no copy); it
// is not a consumer of the audio (media/audio_demand.h), it tells the mixer whose stream it is.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "api/media_stream_interface.h"
#include "media/frame_rate_window.h"

namespace nlw {

class AudioDemand;

class RemoteTrackInfo : public rtc::VideoSinkInterface<webrtc::VideoFrame>,
                        public webrtc::AudioTrackSinkInterface {
 public:
  // Starts recording from `track` (a blocking hop to its thread). Stop() before destruction.
  explicit RemoteTrackInfo(rtc::scoped_refptr<webrtc::MediaStreamTrackInterface> track);
  ~RemoteTrackInfo() override;
  void Stop();

  void OnFrame(const webrtc::VideoFrame& frame) override;
  void OnData(const void* audio_data, int bits_per_sample, int sample_rate, size_t number_of_channels,
              size_t number_of_frames) override;

  int width() const { return width_.load(); }
  int height() const { return height_.load(); }
  double frame_rate() const;  // frames per second over the last second or so; 0 if unknown
  int sample_rate() const { return sample_rate_.load(); }
  int channels() const { return channels_.load(); }

 private:
  rtc::scoped_refptr<webrtc::MediaStreamTrackInterface> track_;
  std::shared_ptr<AudioDemand> demand_;  // audio: the track's, kept while the track is wrapped
  std::atomic<int> width_{0}, height_{0}, sample_rate_{0}, channels_{0};
  // Frame rate: frames counted in windows of >= 1 s; the last complete window's rate.
  FrameRateWindow rate_;
};

}  // namespace nlw
