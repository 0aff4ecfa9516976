#include "media/remote_track_info.h"

#include "media/audio_demand.h"
#include "media/demand_audio_mixer.h"
#include "rtc_base/time_utils.h"

namespace nlw {

RemoteTrackInfo::RemoteTrackInfo(rtc::scoped_refptr<webrtc::MediaStreamTrackInterface> track)
    : track_(std::move(track)) {
  if (track_->kind() == webrtc::MediaStreamTrackInterface::kVideoKind)
    static_cast<webrtc::VideoTrackInterface*>(track_.get())->AddOrUpdateSink(this, rtc::VideoSinkWants());
  else {
    demand_ = AudioDemand::Of(track_.get());
    static_cast<webrtc::AudioTrackInterface*>(track_.get())->AddSink(this);
  }
}

RemoteTrackInfo::~RemoteTrackInfo() { Stop(); }

void RemoteTrackInfo::Stop() {
  if (!track_) return;
  if (track_->kind() == webrtc::MediaStreamTrackInterface::kVideoKind)
    static_cast<webrtc::VideoTrackInterface*>(track_.get())->RemoveSink(this);
  else
    static_cast<webrtc::AudioTrackInterface*>(track_.get())->RemoveSink(this);
  track_ = nullptr;
}

void RemoteTrackInfo::OnFrame(const webrtc::VideoFrame& frame) {
  width_.store(frame.width());
  height_.store(frame.height());
  rate_.Count();
}

double RemoteTrackInfo::frame_rate() const { return rate_.rate(); }

void RemoteTrackInfo::OnData(const void*, int, int sample_rate, size_t number_of_channels, size_t) {
  DemandAudioMixer::Bind(demand_);
  sample_rate_.store(sample_rate);
  channels_.store(static_cast<int>(number_of_channels));
}

}  // namespace nlw
