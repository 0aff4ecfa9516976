#include "media/demand_audio_mixer.h"

#include <algorithm>

#include "api/make_ref_counted.h"
#include "media/audio_demand.h"
#include "modules/audio_mixer/default_output_rate_calculator.h"

namespace nlw {

namespace {
constexpr int kOutputRateHz = 48000;  // the headless device's rate: no resampling after us

// The slot being pulled on this thread (the device's), for Bind.
thread_local void* pulling = nullptr;
}  // namespace

rtc::scoped_refptr<DemandAudioMixer> DemandAudioMixer::Create() {
  return rtc::make_ref_counted<DemandAudioMixer>();
}

void DemandAudioMixer::Bind(const std::shared_ptr<AudioDemand>& demand) {
  auto* slot = static_cast<Slot*>(pulling);
  if (slot == nullptr || !demand || slot->bound == demand.get()) return;
  slot->demand = demand;
  slot->bound = demand.get();
}

bool DemandAudioMixer::AddSource(Source* source) {
  webrtc::MutexLock lock(&mu_);
  for (const auto& slot : slots_)
    if (slot->source == source) return false;
  slots_.push_back(std::make_unique<Slot>(Slot{source}));
  return true;
}

void DemandAudioMixer::RemoveSource(Source* source) {
  webrtc::MutexLock lock(&mu_);
  slots_.erase(std::remove_if(slots_.begin(), slots_.end(), [source](const auto& s) { return s->source == source; }),
               slots_.end());
}

void DemandAudioMixer::Mix(size_t number_of_channels, webrtc::AudioFrame* out) {
  webrtc::MutexLock lock(&mu_);
  // The rate libwebrtc's own mixer would ask every stream for (its rates rounded up to a native
  // one), so that sinks get what they got before.
  rates_.clear();
  for (const auto& slot : slots_) rates_.push_back(slot->source->PreferredSampleRate());
  webrtc::DefaultOutputRateCalculator calculator;
  int rate = calculator.CalculateOutputRateFromRange(rates_);
  for (auto& slot : slots_) {
    std::shared_ptr<AudioDemand> demand = slot->demand.lock();
    // Unbound (or its track gone): pulled, to learn whom it feeds.
    if (!demand || demand->consumed()) Pull(*slot, rate);
  }
  // Nothing is played: silence.
  out->UpdateFrame(0, nullptr, kOutputRateHz / 100, kOutputRateHz, webrtc::AudioFrame::kNormalSpeech,
                   webrtc::AudioFrame::kVadPassive, number_of_channels);
}

void DemandAudioMixer::Pull(Slot& slot, int sample_rate_hz) {
  pulling = &slot;
  frame_.ResetWithoutMuting();
  slot.source->GetAudioFrameWithInfo(sample_rate_hz, &frame_);
  pulling = nullptr;
}

}  // namespace nlw
