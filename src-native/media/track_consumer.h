#ifndef NLW_MEDIA_TRACK_CONSUMER_H_
#define NLW_MEDIA_TRACK_CONSUMER_H_

// What a JS reader of a track's media (RTCVideoSink/RTCAudioSink, MediaStreamTrackProcessor)
// holds while it reads: its place among the track's sinks, and the track's decode demand (a
// remote track is decoded only while something reads it: AudioDemand, the DecodeGate's
// PictureDemand). Attach and Detach run on the JS thread; the sink removal waits for a delivery
// to the sink in progress (the broadcaster's and the sources' locks).
#include "api/media_stream_interface.h"
#include "api/video/video_frame.h"
#include "api/video/video_sink_interface.h"
#include "media/audio_demand.h"
#include "media/decode_gate.h"

namespace nlw {

class TrackConsumer {
 public:
  template <typename Sink>  // a VideoSinkInterface<VideoFrame> and an AudioTrackSinkInterface
  void Attach(webrtc::MediaStreamTrackInterface* track, Sink* sink) {
    if (track->kind() == webrtc::MediaStreamTrackInterface::kVideoKind) {
      pictures_ = PictureDemand(track);
      static_cast<webrtc::VideoTrackInterface*>(track)->AddOrUpdateSink(sink, rtc::VideoSinkWants());
    } else {
      audio_ = AudioDemand::Hold(track);
      static_cast<webrtc::AudioTrackInterface*>(track)->AddSink(sink);
    }
  }

  template <typename Sink>
  void Detach(webrtc::MediaStreamTrackInterface* track, Sink* sink) {
    if (track->kind() == webrtc::MediaStreamTrackInterface::kVideoKind)
      static_cast<webrtc::VideoTrackInterface*>(track)->RemoveSink(sink);
    else
      static_cast<webrtc::AudioTrackInterface*>(track)->RemoveSink(sink);
    pictures_.Reset();
    audio_ = AudioDemand::Hold();
  }

 private:
  AudioDemand::Hold audio_;
  PictureDemand pictures_;
};

}  // namespace nlw

#endif  // NLW_MEDIA_TRACK_CONSUMER_H_
