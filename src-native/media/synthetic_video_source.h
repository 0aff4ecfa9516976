// A synthetic camera: a moving test pattern, as Chromium's fake capture device gives, for
// getUserMedia() on a machine without cameras and for tests that must check what arrives.
//
// What it draws (I420, BT.601 limited range), frame n of a W x H source:
//   - luma 128 everywhere (mid gray), chroma 128 (no colour),
//   - except a vertical bar of luma 235 (white), W/8 pixels wide rounded down to even (at least 2,
//     at most W), whose left edge is at x = (n * 8) mod W rounded down to even: it moves 8 pixels
//     a frame to the right and wraps around. The bar's chroma is 128 too.
// So the luma mean of every frame is (128 * (W - bar) + 235 * bar) / W, the frame counter can
// be read back from the bar's position, and a disabled track (black: luma 0 or 16) or a frozen
// one (the bar stops) is easy to tell apart. Frames carry capture timestamps (rtc::TimeMicros()).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include "common_video/include/video_frame_buffer_pool.h"
#include "media/base/adapted_video_track_source.h"

namespace nlw {

struct VideoSettings {
  int width = 640;
  int height = 480;
  double frame_rate = 30;
};

class SyntheticVideoSource : public rtc::AdaptedVideoTrackSource {
 public:
  // Starts producing frames at once (on the shared ticker thread).
  static rtc::scoped_refptr<SyntheticVideoSource> Create(const VideoSettings& settings);

  // Any thread. Takes effect from the next frame.
  void Reconfigure(const VideoSettings& settings);
  VideoSettings settings() const;
  // Any thread but the ticker's. Ends frame production for good; the source then reads kEnded.
  void Stop();
  int64_t frames_produced() const { return frames_.load(); }

  // Width of the moving bar for a frame width (see the header comment).
  static int BarWidth(int width);

  // webrtc::NotifierInterface. Any thread: tracks of several factories (each registering from its
  // own signaling thread) may share this source. The source never notifies: its state only goes
  // to kEnded, and the wrappers track that themselves.
  void RegisterObserver(webrtc::ObserverInterface* observer) override;
  void UnregisterObserver(webrtc::ObserverInterface* observer) override;

  // webrtc::MediaSourceInterface / VideoTrackSourceInterface
  SourceState state() const override { return stopped_.load() ? kEnded : kLive; }
  bool remote() const override { return false; }
  bool is_screencast() const override { return false; }
  absl::optional<bool> needs_denoising() const override { return false; }

 protected:
  SyntheticVideoSource() = default;
  ~SyntheticVideoSource() override;

 private:
  void Start(const VideoSettings& settings);
  void Produce(int64_t now_us);  // ticker thread

  mutable std::mutex mu_;
  VideoSettings settings_;  // under mu_
  uint64_t ticker_id_ = 0;  // under mu_, 0 once stopped
  std::atomic<bool> stopped_{false};
  std::atomic<int64_t> frames_{0};
  std::vector<webrtc::ObserverInterface*> observers_;  // under mu_
  webrtc::VideoFrameBufferPool pool_;  // ticker thread
};

}  // namespace nlw
