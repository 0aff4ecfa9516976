#include "media/synthetic_audio_source.h"

#include <algorithm>
#include <cmath>

#include "media/ticker.h"
#include "rtc_base/time_utils.h"

namespace nlw {

namespace {

constexpr int64_t kPeriodUs = 10000;  // 10 ms frames, what libwebrtc's audio path takes

AudioSettings Sanitize(AudioSettings s) {
  // 10 ms must be a whole number of samples.
  s.sample_rate = std::clamp(s.sample_rate, 8000, 192000) / 100 * 100;
  s.channel_count = std::clamp(s.channel_count, 1, 8);
  s.frequency = std::clamp(s.frequency, 0.0, s.sample_rate / 2.0);
  return s;
}

}  // namespace

rtc::scoped_refptr<SyntheticAudioSource> SyntheticAudioSource::Create(const AudioSettings& settings) {
  auto source = rtc::make_ref_counted<SyntheticAudioSource>();
  source->Start(settings);
  return source;
}

SyntheticAudioSource::~SyntheticAudioSource() { Stop(); }

void SyntheticAudioSource::Start(const AudioSettings& settings) {
  std::lock_guard<std::mutex> lock(mu_);
  settings_ = Sanitize(settings);
  rtc::scoped_refptr<SyntheticAudioSource> self(this);
  // Catches up to 200 ms late: a busy machine delays the tone, never loses it.
  ticker_id_ = Ticker::Add(kPeriodUs, [self](int64_t now_us) { self->Produce(now_us); }, 200000);
}

void SyntheticAudioSource::Reconfigure(const AudioSettings& settings) {
  std::lock_guard<std::mutex> lock(mu_);
  settings_ = Sanitize(settings);
}

AudioSettings SyntheticAudioSource::settings() const {
  std::lock_guard<std::mutex> lock(mu_);
  return settings_;
}

void SyntheticAudioSource::Stop() {
  uint64_t id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = ticker_id_;
    ticker_id_ = 0;
  }
  stopped_ = true;
  if (id != 0) Ticker::Remove(id);
}

void SyntheticAudioSource::RegisterObserver(webrtc::ObserverInterface* observer) {
  std::lock_guard<std::mutex> lock(mu_);
  observers_.push_back(observer);
}

void SyntheticAudioSource::UnregisterObserver(webrtc::ObserverInterface* observer) {
  std::lock_guard<std::mutex> lock(mu_);
  observers_.erase(std::remove(observers_.begin(), observers_.end(), observer), observers_.end());
}

void SyntheticAudioSource::AddSink(webrtc::AudioTrackSinkInterface* sink) {
  std::lock_guard<std::mutex> lock(sinks_mu_);
  if (std::find(sinks_.begin(), sinks_.end(), sink) == sinks_.end()) sinks_.push_back(sink);
}

void SyntheticAudioSource::RemoveSink(webrtc::AudioTrackSinkInterface* sink) {
  std::lock_guard<std::mutex> lock(sinks_mu_);
  sinks_.erase(std::remove(sinks_.begin(), sinks_.end(), sink), sinks_.end());
}

void SyntheticAudioSource::Produce(int64_t now_us) {
  if (stopped_.load()) return;
  AudioSettings s = settings();
  const size_t frames = static_cast<size_t>(s.sample_rate / 100);
  const size_t channels = static_cast<size_t>(s.channel_count);
  samples_.resize(frames * channels);
  const double step = s.frequency / s.sample_rate;
  // The sine by rotation (two multiplies a sample, no sin() per sample: 50 tones spent 4% of a
  // core in sin), seeded from the phase every chunk so no error accumulates.
  const double w = 2 * M_PI * step;
  const double cw = std::cos(w), sw = std::sin(w);
  double re = std::cos(2 * M_PI * phase_), im = std::sin(2 * M_PI * phase_);
  for (size_t i = 0; i < frames; i++) {
    auto v = static_cast<int16_t>(std::lround(kAmplitude * im));
    for (size_t c = 0; c < channels; c++) samples_[i * channels + c] = v;
    const double next_re = re * cw - im * sw;
    im = im * cw + re * sw;
    re = next_re;
  }
  phase_ += step * static_cast<double>(frames);
  phase_ -= std::floor(phase_);
  std::lock_guard<std::mutex> lock(sinks_mu_);
  for (webrtc::AudioTrackSinkInterface* sink : sinks_)
    sink->OnData(samples_.data(), 16, s.sample_rate, channels, frames, now_us / 1000);
}

}  // namespace nlw
