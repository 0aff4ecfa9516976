#include "media/pushed_video_source.h"

#include <algorithm>

#include "api/video/i420_buffer.h"
#include "api/video/video_frame.h"
#include "rtc_base/time_utils.h"
#include "system_wrappers/include/clock.h"

namespace nlw {

rtc::scoped_refptr<PushedVideoSource> PushedVideoSource::Create(bool is_screencast,
                                                                absl::optional<bool> needs_denoising) {
  return rtc::make_ref_counted<PushedVideoSource>(is_screencast, needs_denoising);
}

void PushedVideoSource::RegisterObserver(webrtc::ObserverInterface* observer) {
  std::lock_guard<std::mutex> lock(mu_);
  observers_.push_back(observer);
}

void PushedVideoSource::UnregisterObserver(webrtc::ObserverInterface* observer) {
  std::lock_guard<std::mutex> lock(mu_);
  observers_.erase(std::remove(observers_.begin(), observers_.end(), observer), observers_.end());
}

int64_t PushedVideoSource::CaptureTime(int64_t timestamp_us) {
  const int64_t now = rtc::TimeMicros();
  int64_t out = timestamp_us;
  // Only a time not after the last one is moved (a local reader sees the program's own times).
  if (last_out_us_ >= 0 && out <= last_out_us_) out = last_out_us_ + std::max<int64_t>(now - last_push_us_, 1);
  last_out_us_ = out;
  last_push_us_ = now;
  return out;
}

int64_t PushedVideoSource::CaptureNtpMs(int64_t capture_us) {
  constexpr int64_t kMaxLagMs = 2000;
  const int64_t now_ntp_ms = webrtc::Clock::GetRealTimeClock()->CurrentNtpInMilliseconds();
  const int64_t program_ms = capture_us / 1000;  // |capture_us| < 2^63: no overflow below
  if (!ntp_anchored_ || program_ms + ntp_offset_ms_ > now_ntp_ms || program_ms + ntp_offset_ms_ < now_ntp_ms - kMaxLagMs) {
    ntp_offset_ms_ = now_ntp_ms - program_ms;
    ntp_anchored_ = true;
  }
  int64_t ntp_ms = program_ms + ntp_offset_ms_;
  if (ntp_ms <= last_ntp_ms_) ntp_ms = last_ntp_ms_ + 1;
  last_ntp_ms_ = ntp_ms;
  return ntp_ms;
}

void PushedVideoSource::Push(int width, int height, webrtc::VideoRotation rotation,
                             absl::optional<int64_t> timestamp_us,
                             absl::FunctionRef<rtc::scoped_refptr<webrtc::VideoFrameBuffer>()> make) {
  width_ = width;
  height_ = height;
  const int64_t time_us = CaptureTime(timestamp_us.value_or(rtc::TimeMicros()));
  int out_w, out_h, crop_w, crop_h, crop_x, crop_y;
  // False when no sink wants a frame now (none registered, or frame-rate adaptation drops it).
  if (!AdaptFrame(width, height, time_us, &out_w, &out_h, &crop_w, &crop_h, &crop_x, &crop_y)) return;
  rtc::scoped_refptr<webrtc::VideoFrameBuffer> buffer = make();
  if (!buffer) return;
  if (out_w != width || out_h != height || crop_x != 0 || crop_y != 0) {
    buffer = buffer->CropAndScale(crop_x, crop_y, crop_w, crop_h, out_w, out_h);
    if (!buffer) return;
  }
  delivered_++;
  OnFrame(webrtc::VideoFrame::Builder()
              .set_video_frame_buffer(buffer)
              .set_timestamp_us(time_us)
              .set_ntp_time_ms(CaptureNtpMs(time_us))
              .set_rotation(rotation)
              .build());
}

}  // namespace nlw
