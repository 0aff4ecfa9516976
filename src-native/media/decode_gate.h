// Decoding a remote video track only while something needs its pictures (issue 17). libwebrtc's
// receive stream decodes every picture it gets, sinks or not; a relay that forwards the encoded
// pictures (media/relay_video_source.h) would pay for a decode nobody looks at. One gate per remote
// video track: it counts the consumers of pictures (RTCVideoSink, MediaStreamTrackProcessor, a
// sender that encodes the pictures again) and the track's decoder (media/gated_video_decoder.h)
// skips the delta pictures while the count is zero.
//
// Which decoder belongs to which track: a gated decoder notes the buffer of each picture it hands
// on (its decode thread) until it is linked; the gate, a sink of the track, looks the buffer of the
// pictures it gets up (the render thread) and links that decoder to itself. A decoder not linked yet
// (before its first picture, or outside a receive stream) decodes everything; keyframes are always
// decoded, so the link comes with the first one. (Not through an encoded sink: M108's remote source
// calls its receiver when its last encoded sink goes, and may do so after the receiver is gone.)
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

#include "api/media_stream_interface.h"
#include "media/frame_rate_window.h"
#include "api/scoped_refptr.h"
#include "api/video/video_frame.h"
#include "rtc_base/ref_count.h"

namespace nlw {

class DecodeGate : public rtc::RefCountInterface,
                   public rtc::VideoSinkInterface<webrtc::VideoFrame> {
 public:
  // JS thread. The gate of a remote video track: registers it and becomes a sink of the track (a
  // blocking hop to the track's thread). Closed until the first demand.
  static rtc::scoped_refptr<DecodeGate> Attach(rtc::scoped_refptr<webrtc::VideoTrackInterface> track);
  // The gate of `track` (the remote track itself, not a clone), or null for any other track.
  static rtc::scoped_refptr<DecodeGate> Find(webrtc::MediaStreamTrackInterface* track);
  // JS thread. Stops being a sink and leaves the registry; from then on the gate is open.
  void Detach();

  // Any thread. A consumer of pictures starts / stops; Pin(): one that never stops (a sender given
  // the remote track itself: libwebrtc's encoder is its sink).
  void AddDemand();
  void RemoveDemand();
  void Pin();
  bool open() const { return demand_.load(std::memory_order_relaxed) > 0 || detached_.load(std::memory_order_relaxed); }

  // Pictures received per second (decoded or not), over the last second or so; 0 if unknown.
  void CountPicture();  // any thread
  double frame_rate() const { return rate_.rate(); }
  // Pictures counted so far (CountPicture; a picture may count twice: arriving and decoded).
  uint64_t pictures() const { return pictures_.load(std::memory_order_relaxed); }

  // rtc::VideoSinkInterface<VideoFrame>: the receive stream's render thread.
  void OnFrame(const webrtc::VideoFrame& frame) override;

  // Process-wide: gates alive; pictures decoded and not decoded by gated decoders.
  static uint64_t live();
  static void CountDecoded() { decoded_.fetch_add(1, std::memory_order_relaxed); }
  static void CountSkipped() { skipped_.fetch_add(1, std::memory_order_relaxed); }
  static uint64_t decoded() { return decoded_.load(); }
  static uint64_t skipped() { return skipped_.load(); }

  DecodeGate(rtc::scoped_refptr<webrtc::VideoTrackInterface> track, const void* key);

 protected:
  ~DecodeGate() override;

 private:
  rtc::scoped_refptr<webrtc::VideoTrackInterface> track_;  // JS thread; null once detached
  const void* const key_;                                  // the track's source (registry key)
  std::atomic<int> demand_{0};
  std::atomic<bool> detached_{false};
  FrameRateWindow rate_;
  std::atomic<uint64_t> pictures_{0};
  static std::atomic<uint64_t> decoded_;
  static std::atomic<uint64_t> skipped_;
};

// A decoder's side of the link (media/gated_video_decoder.h).
class DecoderLink : public rtc::RefCountInterface {
 public:
  // Decode thread: a picture this decoder hands on, while not linked.
  void NoteDecoded(const void* buffer);
  // Decode thread: the linked gate, or null.
  rtc::scoped_refptr<DecodeGate> gate();
  // The decoder goes: forget its noted buffer.
  void Forget();
  bool linked();

 private:
  friend class DecodeGate;
  std::mutex mu_;
  rtc::scoped_refptr<DecodeGate> gate_;  // under mu_
  const void* noted_ = nullptr;          // under the registry's lock
};

// A consumer's demand, held for its life (RAII). Empty for tracks without a gate.
class PictureDemand {
 public:
  PictureDemand() = default;
  explicit PictureDemand(webrtc::MediaStreamTrackInterface* track);
  explicit PictureDemand(rtc::scoped_refptr<DecodeGate> gate);
  PictureDemand(PictureDemand&& other) noexcept : gate_(std::move(other.gate_)) {}
  PictureDemand& operator=(PictureDemand&& other) noexcept;
  PictureDemand(const PictureDemand&) = delete;
  PictureDemand& operator=(const PictureDemand&) = delete;
  ~PictureDemand() { Reset(); }
  void Reset();
  bool held() const { return gate_ != nullptr; }

 private:
  rtc::scoped_refptr<DecodeGate> gate_;
};

}  // namespace nlw
