// The sinks of one of our audio sources (RelayAudioFeed, ForwardedAudioSource, PushedAudioSource,
// SyntheticAudioSource): a sink is added once, and the list's lock is held while delivering, so
// that Remove() waits for a delivery to that sink in progress (after it returns, the sink is
// never called again and may go).
#pragma once

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <vector>

#include "absl/types/optional.h"
#include "api/media_stream_interface.h"

namespace nlw {

class AudioSinkList {
 public:
  // Any thread. Adding a sink twice keeps one.
  void Add(webrtc::AudioTrackSinkInterface* sink) {
    std::lock_guard<std::mutex> lock(mu_);
    if (std::find(sinks_.begin(), sinks_.end(), sink) == sinks_.end()) sinks_.push_back(sink);
  }
  // Any thread but a sink's own OnData. Waits for a delivery in progress.
  void Remove(webrtc::AudioTrackSinkInterface* sink) {
    std::lock_guard<std::mutex> lock(mu_);
    sinks_.erase(std::remove(sinks_.begin(), sinks_.end(), sink), sinks_.end());
  }
  bool empty() {
    std::lock_guard<std::mutex> lock(mu_);
    return sinks_.empty();
  }
  // One chunk to every sink, in the order they were added.
  void Deliver(const void* data, int bits_per_sample, int sample_rate, size_t channels, size_t frames) {
    std::lock_guard<std::mutex> lock(mu_);
    for (webrtc::AudioTrackSinkInterface* sink : sinks_) sink->OnData(data, bits_per_sample, sample_rate, channels, frames);
  }
  // The same, with the chunk's capture time.
  void Deliver(const void* data, int bits_per_sample, int sample_rate, size_t channels, size_t frames,
               absl::optional<int64_t> capture_ms) {
    std::lock_guard<std::mutex> lock(mu_);
    for (webrtc::AudioTrackSinkInterface* sink : sinks_)
      sink->OnData(data, bits_per_sample, sample_rate, channels, frames, capture_ms);
  }

 private:
  std::mutex mu_;
  std::vector<webrtc::AudioTrackSinkInterface*> sinks_;  // under mu_
};

}  // namespace nlw
