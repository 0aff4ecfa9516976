#include "media/pushed_audio_source.h"

#include <algorithm>

namespace nlw {

rtc::scoped_refptr<PushedAudioSource> PushedAudioSource::Create() {
  return rtc::make_ref_counted<PushedAudioSource>();
}

void PushedAudioSource::RegisterObserver(webrtc::ObserverInterface* observer) {
  std::lock_guard<std::mutex> lock(mu_);
  observers_.push_back(observer);
}

void PushedAudioSource::UnregisterObserver(webrtc::ObserverInterface* observer) {
  std::lock_guard<std::mutex> lock(mu_);
  observers_.erase(std::remove(observers_.begin(), observers_.end(), observer), observers_.end());
}

void PushedAudioSource::AddSink(webrtc::AudioTrackSinkInterface* sink) { sinks_.Add(sink); }

void PushedAudioSource::RemoveSink(webrtc::AudioTrackSinkInterface* sink) { sinks_.Remove(sink); }

void PushedAudioSource::Deliver(const int16_t* chunk, int sample_rate, size_t channels, size_t frames,
                                absl::optional<int64_t> capture_ms) {
  delivered_++;
  sinks_.Deliver(chunk, 16, sample_rate, channels, frames, capture_ms);
}

void PushedAudioSource::Push(const int16_t* samples, int sample_rate, size_t channels, size_t frames,
                             absl::optional<int64_t> capture_ms) {
  if (sample_rate < 100 || sample_rate % 100 != 0 || channels == 0) return;
  if (rate_.load() != sample_rate || static_cast<size_t>(channels_.load()) != channels) {
    pending_.clear();
    rate_ = sample_rate;
    channels_ = static_cast<int>(channels);
  }
  const size_t chunk = static_cast<size_t>(sample_rate / 100);  // frames in 10 ms
  // Capture time of input frame i (i < 0: the pending frames before it).
  auto time_of = [&](int64_t i) -> absl::optional<int64_t> {
    if (!capture_ms) return absl::nullopt;
    return *capture_ms + i * 1000 / sample_rate;
  };
  size_t used = 0;
  if (!pending_.empty()) {
    const size_t have = pending_.size() / channels;
    const size_t take = std::min(chunk - have, frames);
    pending_.insert(pending_.end(), samples, samples + take * channels);
    used = take;
    if (have + take < chunk) return;
    absl::optional<int64_t> t = pending_capture_ms_ ? pending_capture_ms_ : time_of(-static_cast<int64_t>(have));
    Deliver(pending_.data(), sample_rate, channels, chunk, t);
    pending_.clear();
  }
  // Whole chunks straight from the caller's memory.
  for (; frames - used >= chunk; used += chunk)
    Deliver(samples + used * channels, sample_rate, channels, chunk, time_of(static_cast<int64_t>(used)));
  if (used < frames) {
    pending_.assign(samples + used * channels, samples + frames * channels);
    pending_capture_ms_ = time_of(static_cast<int64_t>(used));
  }
}

}  // namespace nlw
