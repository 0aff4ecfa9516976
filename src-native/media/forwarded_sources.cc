#include "media/forwarded_sources.h"

#include <algorithm>

#include "media/demand_audio_mixer.h"
#include "rtc_base/ref_counted_object.h"

namespace nlw {

rtc::scoped_refptr<ForwardedVideoSource> ForwardedVideoSource::Create(
    rtc::scoped_refptr<webrtc::VideoTrackInterface> from) {
  auto source = rtc::make_ref_counted<ForwardedVideoSource>(std::move(from));
  source->from_->AddOrUpdateSink(source.get(), rtc::VideoSinkWants());
  return source;
}

ForwardedVideoSource::ForwardedVideoSource(rtc::scoped_refptr<webrtc::VideoTrackInterface> from)
    : from_(std::move(from)) {}

ForwardedVideoSource::~ForwardedVideoSource() { from_->RemoveSink(this); }

rtc::scoped_refptr<ForwardedAudioSource> ForwardedAudioSource::Create(
    rtc::scoped_refptr<webrtc::AudioTrackInterface> from) {
  auto source = rtc::make_ref_counted<ForwardedAudioSource>(std::move(from));
  source->from_->AddSink(source.get());
  return source;
}

ForwardedAudioSource::ForwardedAudioSource(rtc::scoped_refptr<webrtc::AudioTrackInterface> from)
    : from_(std::move(from)) {}

ForwardedAudioSource::~ForwardedAudioSource() { from_->RemoveSink(this); }

void ForwardedAudioSource::OnData(const void* audio_data, int bits_per_sample, int sample_rate,
                                  size_t number_of_channels, size_t number_of_frames) {
  if (DemandAudioMixer::Draining()) return;  // a backlog nobody hears (media/demand_audio_mixer.h)
  sinks_.Deliver(audio_data, bits_per_sample, sample_rate, number_of_channels, number_of_frames);
}

void ForwardedAudioSource::AddSink(webrtc::AudioTrackSinkInterface* sink) {
  sinks_.Add(sink);
}

void ForwardedAudioSource::RemoveSink(webrtc::AudioTrackSinkInterface* sink) {
  sinks_.Remove(sink);
}

}  // namespace nlw
