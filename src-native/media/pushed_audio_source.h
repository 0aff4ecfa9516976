// An audio source the application feeds (nonstandard RTCAudioSource): 16-bit interleaved PCM of
// any length goes to its tracks' sinks (senders, RTCAudioSinks) in 10 ms chunks, what libwebrtc's
// audio path takes; a remainder shorter than 10 ms waits for the next Push() (it is dropped when
// the rate or the channel count changes). No thread of its own: sinks are called from Push().
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include "absl/types/optional.h"
#include "api/media_stream_interface.h"
#include "media/audio_sink_list.h"

namespace nlw {

class PushedAudioSource : public webrtc::AudioSourceInterface {
 public:
  static rtc::scoped_refptr<PushedAudioSource> Create();

  // One thread at a time. `frames` frames of `channels` interleaved samples at `sample_rate` (a
  // multiple of 100); `capture_ms`: capture time of the first frame, if known.
  void Push(const int16_t* samples, int sample_rate, size_t channels, size_t frames,
            absl::optional<int64_t> capture_ms);
  int64_t chunks_delivered() const { return delivered_.load(); }
  // Any thread: the format of the last Push() (0 before the first).
  int sample_rate() const { return rate_.load(); }
  int channels() const { return channels_.load(); }

  // webrtc::NotifierInterface, any thread (see PushedVideoSource).
  void RegisterObserver(webrtc::ObserverInterface* observer) override;
  void UnregisterObserver(webrtc::ObserverInterface* observer) override;

  SourceState state() const override { return kLive; }
  bool remote() const override { return false; }
  // Any thread. RemoveSink waits for a delivery to that sink in progress.
  void AddSink(webrtc::AudioTrackSinkInterface* sink) override;
  void RemoveSink(webrtc::AudioTrackSinkInterface* sink) override;

 protected:
  PushedAudioSource() = default;

 private:
  void Deliver(const int16_t* chunk, int sample_rate, size_t channels, size_t frames,
               absl::optional<int64_t> capture_ms);

  std::atomic<int> rate_{0}, channels_{0};
  std::atomic<int64_t> delivered_{0};
  std::vector<int16_t> pending_;  // Push()'s thread: under 10 ms of the current format
  absl::optional<int64_t> pending_capture_ms_;

  std::mutex mu_;
  std::vector<webrtc::ObserverInterface*> observers_;  // under mu_
  AudioSinkList sinks_;
};

}  // namespace nlw
