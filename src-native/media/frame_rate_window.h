#ifndef NLW_MEDIA_FRAME_RATE_WINDOW_H_
#define NLW_MEDIA_FRAME_RATE_WINDOW_H_

// The frame rate a track reports (getSettings().frameRate): pictures counted over windows of
// about one second, the last full window's rate kept. Counted on one media thread, read from any.
#include <atomic>
#include <cstdint>

#include "rtc_base/time_utils.h"

namespace nlw {

class FrameRateWindow {
 public:
  void Count() {
    const int64_t now = rtc::TimeMicros();
    const int64_t start = start_us_.load();
    const int frames = ++frames_;
    if (start == 0) {
      Restart(now);
    } else if (now - start >= rtc::kNumMicrosecsPerSec) {
      rate_.store(frames * 1e6 / static_cast<double>(now - start));
      Restart(now);
    }
  }
  double rate() const { return rate_.load(); }

 private:
  void Restart(int64_t now) {
    start_us_.store(now);
    frames_.store(0);
  }
  std::atomic<int64_t> start_us_{0};
  std::atomic<int> frames_{0};
  std::atomic<double> rate_{0};
};

}  // namespace nlw

#endif  // NLW_MEDIA_FRAME_RATE_WINDOW_H_
