// Who reads a remote audio track's samples: the demand that makes its stream decoded.
//
// libwebrtc decodes a remote audio stream when the mixer pulls it (media/demand_audio_mixer.h).
// Chromium pulls only what something plays; we pull only the streams whose track has a consumer:
// an RTCAudioSink, a MediaStreamTrackProcessor, a sender that forwards the track. One AudioDemand
// per audio source (a remote track and its clones share one), found by the source's address;
// consumers hold it (AudioDemand::Hold) while they read.
//
// A stream not pulled keeps receiving: its jitter buffer fills with audio nobody heard (up to 4 s
// before NetEq flushes). The mixer marks such a demand stale; the first consumer's Hold waits
// (briefly) until the mixer has drained that backlog, so that the consumer hears the present.
#pragma once

#include <atomic>
#include <cstdint>
#include <condition_variable>
#include <memory>
#include <mutex>

#include "api/media_stream_interface.h"

namespace nlw {

class AudioDemand {
 public:
  // Any thread. The demand of `track`'s source (created on first use); null for a video track.
  static std::shared_ptr<AudioDemand> Of(webrtc::MediaStreamTrackInterface* track);

  // A consumer for as long as it lives (RAII); an empty hold for a video track. Blocks up to
  // 50 ms while the mixer drains a stale backlog (see above).
  class Hold {
   public:
    Hold() = default;
    explicit Hold(webrtc::MediaStreamTrackInterface* track);
    Hold(Hold&& other) noexcept : demand_(std::move(other.demand_)) {}
    Hold& operator=(Hold&& other) noexcept;
    ~Hold() { Release(); }

   private:
    void Release();
    std::shared_ptr<AudioDemand> demand_;  // counted in while non-null
  };

  AudioDemand();
  ~AudioDemand();
  AudioDemand(const AudioDemand&) = delete;
  AudioDemand& operator=(const AudioDemand&) = delete;
  // Process-wide: AudioDemand objects alive (liveObjects().audioDemands).
  static uint64_t live();

  bool consumed() const { return consumers_.load(std::memory_order_relaxed) > 0; }

  // The mixer's thread: the stream was not pulled (stale) / its backlog is drained (fresh).
  void MarkStale() { stale_.store(true, std::memory_order_relaxed); }
  bool stale() const { return stale_.load(std::memory_order_relaxed); }
  void MarkFresh();

 private:
  void WaitFresh();

  std::atomic<int> consumers_{0};
  std::atomic<bool> stale_{false};
  std::mutex mu_;  // for cv_
  std::condition_variable cv_;
};

}  // namespace nlw
