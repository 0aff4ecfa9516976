#include "media/synthetic_video_source.h"

#include <algorithm>
#include <cstring>

#include "api/video/i420_buffer.h"
#include "api/video/video_frame.h"
#include "media/ticker.h"

namespace nlw {

namespace {

constexpr uint8_t kBackgroundLuma = 128;
constexpr uint8_t kBarLuma = 235;
constexpr uint8_t kNeutralChroma = 128;
constexpr int kBarStep = 8;  // pixels per frame

int64_t PeriodUs(double frame_rate) {
  return static_cast<int64_t>(1e6 / std::clamp(frame_rate, 1.0, 240.0));
}

VideoSettings Sanitize(VideoSettings s) {
  s.width = std::clamp(s.width, 1, 7680);
  s.height = std::clamp(s.height, 1, 4320);
  s.frame_rate = std::clamp(s.frame_rate, 1.0, 240.0);
  return s;
}

void Draw(webrtc::I420Buffer* buf, int64_t n) {
  const int w = buf->width(), h = buf->height();
  const int bar = SyntheticVideoSource::BarWidth(w);
  const int x0 = static_cast<int>((n * kBarStep) % w) & ~1;
  for (int y = 0; y < h; y++) {
    uint8_t* row = buf->MutableDataY() + y * buf->StrideY();
    memset(row, kBackgroundLuma, w);
    // The bar wraps around the right edge.
    int first = std::min(bar, w - x0);
    memset(row + x0, kBarLuma, first);
    if (first < bar) memset(row, kBarLuma, bar - first);
  }
  for (int y = 0; y < buf->ChromaHeight(); y++) {
    memset(buf->MutableDataU() + y * buf->StrideU(), kNeutralChroma, buf->ChromaWidth());
    memset(buf->MutableDataV() + y * buf->StrideV(), kNeutralChroma, buf->ChromaWidth());
  }
}

}  // namespace

int SyntheticVideoSource::BarWidth(int width) { return std::min(width, std::max(2, (width / 8) & ~1)); }

rtc::scoped_refptr<SyntheticVideoSource> SyntheticVideoSource::Create(const VideoSettings& settings) {
  auto source = rtc::make_ref_counted<SyntheticVideoSource>();
  source->Start(settings);
  return source;
}

SyntheticVideoSource::~SyntheticVideoSource() { Stop(); }

void SyntheticVideoSource::Start(const VideoSettings& settings) {
  std::lock_guard<std::mutex> lock(mu_);
  settings_ = Sanitize(settings);
  // The ticker holds the source while it runs: Stop() lets it go.
  rtc::scoped_refptr<SyntheticVideoSource> self(this);
  ticker_id_ = Ticker::Add(PeriodUs(settings_.frame_rate), [self](int64_t now_us) { self->Produce(now_us); });
}

void SyntheticVideoSource::Reconfigure(const VideoSettings& settings) {
  uint64_t id;
  bool rate_changed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    VideoSettings s = Sanitize(settings);
    rate_changed = s.frame_rate != settings_.frame_rate;
    settings_ = s;
    id = ticker_id_;
  }
  if (id != 0 && rate_changed) Ticker::SetPeriod(id, PeriodUs(settings.frame_rate));
}

void SyntheticVideoSource::RegisterObserver(webrtc::ObserverInterface* observer) {
  std::lock_guard<std::mutex> lock(mu_);
  observers_.push_back(observer);
}

void SyntheticVideoSource::UnregisterObserver(webrtc::ObserverInterface* observer) {
  std::lock_guard<std::mutex> lock(mu_);
  observers_.erase(std::remove(observers_.begin(), observers_.end(), observer), observers_.end());
}

VideoSettings SyntheticVideoSource::settings() const {
  std::lock_guard<std::mutex> lock(mu_);
  return settings_;
}

void SyntheticVideoSource::Stop() {
  uint64_t id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = ticker_id_;
    ticker_id_ = 0;
  }
  stopped_ = true;
  // May drop the ticker's reference, the last one but the caller's (which keeps `this` alive).
  if (id != 0) Ticker::Remove(id);
}

void SyntheticVideoSource::Produce(int64_t now_us) {
  if (stopped_.load()) return;
  VideoSettings s = settings();
  int64_t n = frames_.fetch_add(1);
  int out_w, out_h, crop_w, crop_h, crop_x, crop_y;
  // Asks the sinks' wants (the encoder's resolution and frame rate adaptation) first; false when
  // nobody wants the frame: nothing is drawn then.
  if (!AdaptFrame(s.width, s.height, now_us, &out_w, &out_h, &crop_w, &crop_h, &crop_x, &crop_y)) return;
  rtc::scoped_refptr<webrtc::I420Buffer> buf = pool_.CreateI420Buffer(s.width, s.height);
  if (!buf) return;
  Draw(buf.get(), n);
  rtc::scoped_refptr<webrtc::VideoFrameBuffer> out = buf;
  if (out_w != s.width || out_h != s.height) {
    rtc::scoped_refptr<webrtc::I420Buffer> scaled = webrtc::I420Buffer::Create(out_w, out_h);
    scaled->CropAndScaleFrom(*buf, crop_x, crop_y, crop_w, crop_h);
    out = scaled;
  }
  OnFrame(webrtc::VideoFrame::Builder()
              .set_video_frame_buffer(out)
              .set_timestamp_us(now_us)
              .set_rotation(webrtc::kVideoRotation_0)
              .build());
}

}  // namespace nlw
