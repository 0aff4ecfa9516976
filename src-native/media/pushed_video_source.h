// A video source the application feeds frame by frame (nonstandard RTCVideoSource): the frames
// given to Push() go to its tracks' sinks (senders' encoders, RTCVideoSinks), adapted to what the
// sinks want (resolution and frame rate adaptation, rotation) as a camera's would be.
// It has no thread of its own: Push() runs on the caller's thread (the JS thread).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/types/optional.h"
#include "api/video/video_frame_buffer.h"
#include "api/video/video_rotation.h"
#include "media/base/adapted_video_track_source.h"

namespace nlw {

class PushedVideoSource : public rtc::AdaptedVideoTrackSource {
 public:
  static rtc::scoped_refptr<PushedVideoSource> Create(bool is_screencast, absl::optional<bool> needs_denoising);

  // One thread at a time. A width x height frame captured at `timestamp_us` (rtc::TimeMicros()
  // when absent): `make` is called for its pixels only when a sink wants the frame (nobody does:
  // no copy, no conversion). Frames are scaled here when the sinks ask for less. The times given
  // to libwebrtc only go forward (see CaptureTime).
  void Push(int width, int height, webrtc::VideoRotation rotation, absl::optional<int64_t> timestamp_us,
            absl::FunctionRef<rtc::scoped_refptr<webrtc::VideoFrameBuffer>()> make);
  int64_t frames_delivered() const { return delivered_.load(); }
  // Any thread: the size of the last frame pushed (0 before the first).
  int width() const { return width_.load(); }
  int height() const { return height_.load(); }

  // webrtc::NotifierInterface. Any thread: tracks of several factories share this source (as the
  // synthetic sources do). The source never notifies: it is live until released.
  void RegisterObserver(webrtc::ObserverInterface* observer) override;
  void UnregisterObserver(webrtc::ObserverInterface* observer) override;

  SourceState state() const override { return kLive; }
  bool remote() const override { return false; }
  bool is_screencast() const override { return is_screencast_; }
  absl::optional<bool> needs_denoising() const override { return needs_denoising_; }

 protected:
  PushedVideoSource(bool is_screencast, absl::optional<bool> needs_denoising)
      : is_screencast_(is_screencast), needs_denoising_(needs_denoising) {}

 private:
  // The time libwebrtc gets for a frame given `timestamp_us`: that time, unless it is not after
  // the last one given; then the last one plus the time elapsed since (at least 1 µs).
  // libwebrtc's encoder drops every frame whose capture time is not after the last one it took,
  // so one frame stamped far in the future (or a switch from explicit timestamps to none) stopped
  // the track's video for good.
  int64_t CaptureTime(int64_t timestamp_us);
  // The capture time libwebrtc's encoder reads (VideoFrame::ntp_time_ms, which it prefers to one
  // derived from the timestamp): the program's times moved onto the real-time clock by an offset
  // fixed at this source's first frame, so their spacing is kept; re-anchored to now when they
  // would run ahead of the clock or fall 2 s behind it. The encoder drops a frame whose capture
  // time is not after the last one it took from any source: with the program's own times, a new
  // track whose times were behind the old one's (replaceTrack to a generator counting from 0 after
  // a camera, or after frames stamped far ahead) sent nothing. Local readers still see the
  // program's times (the frame's timestamp_us).
  int64_t CaptureNtpMs(int64_t capture_us);

  const bool is_screencast_;
  const absl::optional<bool> needs_denoising_;
  int64_t last_out_us_ = -1;    // Push()'s thread only: the last time given to libwebrtc
  int64_t last_push_us_ = 0;    // rtc::TimeMicros() at that frame
  bool ntp_anchored_ = false;   // Push()'s thread only, as the two below
  int64_t ntp_offset_ms_ = 0;
  int64_t last_ntp_ms_ = -1;
  std::atomic<int> width_{0}, height_{0};
  std::atomic<int64_t> delivered_{0};
  std::mutex mu_;
  std::vector<webrtc::ObserverInterface*> observers_;  // under mu_
};

}  // namespace nlw
