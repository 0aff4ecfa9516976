// The mixer of a headless server: it decodes only the remote audio that something reads.
//
// libwebrtc decodes a remote audio stream (NetEq, Opus) when the mixer asks it for 10 ms
// (AudioMixer::Source::GetAudioFrameWithInfo), which our headless device triggers every 10 ms.
// The stream then hands the PCM to its track's sinks. Chromium asks only the streams something
// plays; a remote track nobody plays is not decoded (its audioLevel, totalSamplesReceived stay 0).
// This mixer does the same: it asks a stream only while its track has a consumer
// (media/audio_demand.h). Nothing is played on a server, so nothing is mixed: the output is
// silence.
//
// Which track a stream feeds is learnt, not looked up: every remote track wrapped for JS has a
// RemoteTrackInfo sink, which calls Bind() from inside the pull (the stream -> track -> sinks
// call chain is synchronous), at the stream's first decoded audio. A stream not bound yet is
// pulled, so a stream is never left silent by mistake, only decoded by excess.
//
// Packets of a stream not pulled still go into its jitter buffer (NetEq keeps at most 200, then
// flushes), as in Chromium. When a consumer comes, the mixer first drains that backlog (pulls
// until NetEq runs dry, the sinks ignoring it: Draining()), so that the consumer hears the
// present: played out, the backlog delayed a late consumer by up to 2.5 s.
#pragma once

#include <memory>
#include <vector>

#include "api/audio/audio_frame.h"
#include "api/audio/audio_mixer.h"
#include "rtc_base/synchronization/mutex.h"

namespace nlw {

class AudioDemand;

class DemandAudioMixer : public webrtc::AudioMixer {
 public:
  // NODE_LIBWEBRTC_DECODE_ALL_AUDIO=1: every stream is decoded, read or not (as before; for
  // comparisons and for code that reads the stats of unread tracks).
  static rtc::scoped_refptr<DemandAudioMixer> Create();

  // The mixer's thread, inside a pull: the stream being pulled feeds the track of `demand`.
  static void Bind(const std::shared_ptr<AudioDemand>& demand);
  // Any thread: true inside a drain on this thread; a sink ignores what it gets then.
  static bool Draining();

  // webrtc::AudioMixer. AddSource/RemoveSource: the worker thread; Mix: the device's thread.
  bool AddSource(Source* source) override;
  void RemoveSource(Source* source) override;
  void Mix(size_t number_of_channels, webrtc::AudioFrame* audio_frame_for_mixing) override;

 protected:
  DemandAudioMixer() = default;
  ~DemandAudioMixer() override = default;

 private:
  struct Slot {
    Source* source;
    std::weak_ptr<AudioDemand> demand;  // empty until bound; expired: bind again
    const AudioDemand* bound = nullptr;
    std::shared_ptr<AudioDemand> candidate;  // Bind during the current pull
  };
  void Pull(Slot& slot, int sample_rate_hz);
  void Drain(Slot& slot, int sample_rate_hz);

  webrtc::Mutex mu_;  // held by Mix: RemoveSource waits for a pull in progress
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<int> rates_;    // Mix only
  webrtc::AudioFrame frame_;  // Mix only
  bool decode_all_ = false;
};

}  // namespace nlw
