// A synthetic microphone: a continuous sine tone (default 440 Hz, amplitude 8192 of 32767, about
// -12 dBFS) at sampleRate x channelCount, the same sample in every channel. It hands 10 ms of
// 16-bit PCM to its sinks every 10 ms (the local audio tracks' senders), from the shared ticker
// thread, with capture timestamps. The phase runs on across frames and reconfigurations.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "api/media_stream_interface.h"
#include "media/audio_sink_list.h"

namespace nlw {

struct AudioSettings {
  int sample_rate = 48000;
  int channel_count = 1;
  double frequency = 440;
};

class SyntheticAudioSource : public webrtc::AudioSourceInterface {
 public:
  static constexpr int16_t kAmplitude = 8192;

  // Starts producing samples at once (on the shared ticker thread).
  static rtc::scoped_refptr<SyntheticAudioSource> Create(const AudioSettings& settings);

  // Any thread. Takes effect from the next 10 ms frame.
  void Reconfigure(const AudioSettings& settings);
  AudioSettings settings() const;
  // Any thread but the ticker's. Ends production for good; the source then reads kEnded.
  void Stop();

  // webrtc::NotifierInterface. Any thread: tracks of several factories (each registering from its
  // own signaling thread) may share this source. The source never notifies (see the video source).
  void RegisterObserver(webrtc::ObserverInterface* observer) override;
  void UnregisterObserver(webrtc::ObserverInterface* observer) override;

  // webrtc::MediaSourceInterface / AudioSourceInterface
  SourceState state() const override { return stopped_.load() ? kEnded : kLive; }
  bool remote() const override { return false; }
  // Any thread. RemoveSink waits for a delivery to that sink in progress.
  void AddSink(webrtc::AudioTrackSinkInterface* sink) override;
  void RemoveSink(webrtc::AudioTrackSinkInterface* sink) override;

 protected:
  SyntheticAudioSource() = default;
  ~SyntheticAudioSource() override;

 private:
  void Start(const AudioSettings& settings);
  void Produce(int64_t now_us);  // ticker thread

  mutable std::mutex mu_;
  AudioSettings settings_;  // under mu_
  uint64_t ticker_id_ = 0;  // under mu_
  std::atomic<bool> stopped_{false};
  std::vector<webrtc::ObserverInterface*> observers_;  // under mu_

  AudioSinkList sinks_;

  // Ticker thread.
  double phase_ = 0;              // in cycles [0, 1)
  std::vector<int16_t> samples_;  // the frame, unless read from the table
  // One second of the tone (whole-hertz frequencies), shared by the sources of these settings.
  std::shared_ptr<const std::vector<int16_t>> table_;
  int table_rate_ = 0;
  double table_frequency_ = -1;
  size_t position_ = 0;  // next sample of the table
};

}  // namespace nlw
