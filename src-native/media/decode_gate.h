// Decoding a remote video track only while something needs its pictures (issue 17). libwebrtc's
// receive stream decodes every picture it gets, sinks or not; a relay that forwards the encoded
// pictures (media/relay_video_source.h) would pay for a decode nobody looks at. One gate per remote
// video track: it counts the consumers of pictures (RTCVideoSink, MediaStreamTrackProcessor, a
// sender that encodes the pictures again) and the track's decoder (media/gated_video_decoder.h)
// skips the delta pictures while the count is zero.
//
// Which decoder belongs to which track: the receive stream calls its decoder and its encoded sinks
// on its own decode thread, one thread per stream. The gate is an encoded sink of the remote source;
// each call marks the thread as this gate's, and the decoder reads the mark on the same thread. A
// decoder whose thread has no mark yet (the first pictures, or a decoder outside a receive stream)
// decodes everything.
#pragma once

#include <atomic>
#include <cstdint>

#include "api/media_stream_interface.h"
#include "api/scoped_refptr.h"
#include "api/video/recordable_encoded_frame.h"
#include "rtc_base/ref_count.h"

namespace nlw {

class DecodeGate : public rtc::RefCountInterface,
                   public rtc::VideoSinkInterface<webrtc::RecordableEncodedFrame> {
 public:
  // JS thread. The gate of a remote video track: registers it and becomes an encoded sink of its
  // source (a blocking hop to the track's thread). Closed until the first demand.
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

  // Decode thread: the gate of the stream decoded on this thread, or null (decode everything).
  static DecodeGate* OfThisThread();

  // rtc::VideoSinkInterface<RecordableEncodedFrame>: the receive stream's decode thread.
  void OnFrame(const webrtc::RecordableEncodedFrame& frame) override;

  // Process-wide: gates alive; pictures decoded and not decoded by gated decoders.
  static uint64_t live();
  static void CountDecoded() { decoded_.fetch_add(1, std::memory_order_relaxed); }
  static void CountSkipped() { skipped_.fetch_add(1, std::memory_order_relaxed); }
  static uint64_t decoded() { return decoded_.load(); }
  static uint64_t skipped() { return skipped_.load(); }

  explicit DecodeGate(rtc::scoped_refptr<webrtc::VideoTrackSourceInterface> source);

 protected:
  ~DecodeGate() override;

 private:
  rtc::scoped_refptr<webrtc::VideoTrackSourceInterface> source_;  // JS thread; null once detached
  std::atomic<int> demand_{0};
  std::atomic<bool> detached_{false};
  static std::atomic<uint64_t> decoded_;
  static std::atomic<uint64_t> skipped_;
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
