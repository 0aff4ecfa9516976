#include "media/synthetic_audio_source.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

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

// One second of the tone, mono, for a whole number of hertz (the tone then repeats every second):
// every source of that rate and frequency reads its 10 ms frames from it (no sine per sample and
// no copy for mono). Kept while a source uses it.
std::shared_ptr<const std::vector<int16_t>> ToneTable(int sample_rate, double frequency) {
  if (frequency != std::floor(frequency)) return nullptr;
  static std::mutex* mu = new std::mutex();  // never destroyed: a ticker may run at exit
  static auto* tables = new std::map<std::pair<int, int>, std::weak_ptr<const std::vector<int16_t>>>();
  std::lock_guard<std::mutex> lock(*mu);
  auto key = std::make_pair(sample_rate, static_cast<int>(frequency));
  if (auto table = (*tables)[key].lock()) return table;
  auto table = std::make_shared<std::vector<int16_t>>(static_cast<size_t>(sample_rate));
  const int64_t f = key.second;
  for (int64_t i = 0; i < sample_rate; i++) {
    // (f * i) mod rate keeps the argument exact: sample i of a tone that repeats every second.
    double cycles = static_cast<double>((f * i) % sample_rate) / sample_rate;
    (*table)[i] = static_cast<int16_t>(std::lround(SyntheticAudioSource::kAmplitude * std::sin(2 * M_PI * cycles)));
  }
  (*tables)[key] = table;
  return table;
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

void SyntheticAudioSource::AddSink(webrtc::AudioTrackSinkInterface* sink) { sinks_.Add(sink); }

void SyntheticAudioSource::RemoveSink(webrtc::AudioTrackSinkInterface* sink) { sinks_.Remove(sink); }

void SyntheticAudioSource::Produce(int64_t now_us) {
  if (stopped_.load()) return;
  AudioSettings s = settings();
  const size_t frames = static_cast<size_t>(s.sample_rate / 100);
  const size_t channels = static_cast<size_t>(s.channel_count);
  const double step = s.frequency / s.sample_rate;
  if (s.sample_rate != table_rate_ || s.frequency != table_frequency_) {
    // New settings: the table of this rate and frequency, entered where the tone's phase is.
    table_rate_ = s.sample_rate;
    table_frequency_ = s.frequency;
    table_ = ToneTable(s.sample_rate, s.frequency);
    position_ = 0;
    if (table_ && phase_ != 0) {  // a new source starts at sample 0; a reconfigured one searches
      double best = 2;
      for (int i = 0; i < s.sample_rate; i++) {
        double d = std::abs(std::remainder(step * i - phase_, 1.0));
        if (d < best) best = d, position_ = static_cast<size_t>(i);
      }
    }
  }
  const int16_t* data;
  if (table_) {
    const size_t period = static_cast<size_t>(s.sample_rate);
    if (channels == 1 && position_ + frames <= period) {
      data = table_->data() + position_;  // the usual case: frames start on multiples of 10 ms
    } else {
      samples_.resize(frames * channels);
      for (size_t i = 0; i < frames; i++)
        std::fill_n(samples_.begin() + static_cast<std::ptrdiff_t>(i * channels), channels,
                    (*table_)[(position_ + i) % period]);
      data = samples_.data();
    }
    position_ = (position_ + frames) % period;
    phase_ = step * static_cast<double>(position_);
    phase_ -= std::floor(phase_);
  } else {
    samples_.resize(frames * channels);
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
    data = samples_.data();
  }
  sinks_.Deliver(data, 16, s.sample_rate, channels, frames, now_us / 1000);
}

}  // namespace nlw
