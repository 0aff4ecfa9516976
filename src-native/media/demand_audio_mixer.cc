#include "media/demand_audio_mixer.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "api/make_ref_counted.h"
#include "media/audio_demand.h"
#include "modules/audio_mixer/default_output_rate_calculator.h"

namespace nlw {

namespace {
constexpr int kOutputRateHz = 48000;  // the headless device's rate: no resampling after us

// At most this much backlog is drained (NetEq holds up to 200 packets, 4 s of 20 ms packets).
constexpr int kMaxDrainPulls = 500;

// The slot being pulled on this thread (the device's), for Bind.
thread_local void* pulling = nullptr;
thread_local bool draining = false;
}  // namespace

rtc::scoped_refptr<DemandAudioMixer> DemandAudioMixer::Create() {
  auto mixer = rtc::make_ref_counted<DemandAudioMixer>();
  const char* all = std::getenv("NODE_LIBWEBRTC_DECODE_ALL_AUDIO");
  mixer->decode_all_ = all != nullptr && std::strcmp(all, "1") == 0;
  return mixer;
}

void DemandAudioMixer::Bind(const std::shared_ptr<AudioDemand>& demand) {
  auto* slot = static_cast<Slot*>(pulling);
  if (slot == nullptr || !demand) return;
  slot->candidate = demand.get() == slot->bound ? nullptr : demand;
}

bool DemandAudioMixer::Draining() { return draining; }

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
    if (demand && !demand->consumed() && !decode_all_) {
      demand->MarkStale();
      continue;
    }
    if (demand && demand->stale()) {
      Drain(*slot, rate);
      demand->MarkFresh();
    }
    Pull(*slot, rate);
  }
  // Nothing is played: silence.
  out->UpdateFrame(0, nullptr, kOutputRateHz / 100, kOutputRateHz, webrtc::AudioFrame::kNormalSpeech,
                   webrtc::AudioFrame::kVadPassive, number_of_channels);
}

void DemandAudioMixer::Drain(Slot& slot, int sample_rate_hz) {
  draining = true;
  for (int i = 0; i < kMaxDrainPulls; i++) {
    frame_.ResetWithoutMuting();
    Source::AudioFrameInfo info = slot.source->GetAudioFrameWithInfo(sample_rate_hz, &frame_);
    // Concealment or silence: NetEq has no more packets waiting.
    if (info != Source::AudioFrameInfo::kNormal || frame_.speech_type_ != webrtc::AudioFrame::kNormalSpeech) break;
  }
  draining = false;
}

void DemandAudioMixer::Pull(Slot& slot, int sample_rate_hz) {
  pulling = &slot;
  frame_.ResetWithoutMuting();
  Source::AudioFrameInfo info = slot.source->GetAudioFrameWithInfo(sample_rate_hz, &frame_);
  pulling = nullptr;
  // Bound at its first decoded audio (not the concealment before any packet): the track's
  // getSettings() then has the stream's real rate and channels.
  bool decoded = info == Source::AudioFrameInfo::kNormal && (frame_.speech_type_ == webrtc::AudioFrame::kNormalSpeech ||
                                                             frame_.speech_type_ == webrtc::AudioFrame::kCNG);
  if (slot.candidate && decoded) {
    slot.demand = slot.candidate;
    slot.bound = slot.candidate.get();
  }
  slot.candidate = nullptr;
}

}  // namespace nlw
