#include "media/opus_packets.h"

namespace nlw {

int OpusPacketSamples48k(rtc::ArrayView<const uint8_t> packet) {
  if (packet.empty()) return 0;
  const uint8_t toc = packet[0];
  const int config = toc >> 3;
  // Frame length in 48 kHz samples by configuration: SILK-only 10/20/40/60 ms, hybrid 10/20 ms,
  // CELT-only 2.5/5/10/20 ms.
  int frame;
  if (config < 12) {
    static constexpr int kSilk[4] = {480, 960, 1920, 2880};
    frame = kSilk[config & 3];
  } else if (config < 16) {
    frame = (config & 1) ? 960 : 480;
  } else {
    static constexpr int kCelt[4] = {120, 240, 480, 960};
    frame = kCelt[config & 3];
  }
  int frames;
  switch (toc & 3) {
    case 0: frames = 1; break;
    case 1:
    case 2: frames = 2; break;
    default:
      if (packet.size() < 2) return 0;
      frames = packet[1] & 0x3F;
      break;
  }
  const int samples = frames * frame;
  if (frames == 0 || samples > 5760) return 0;  // at most 120 ms
  return samples;
}

void OpusPacketRing::Push(rtc::ArrayView<const uint8_t> payload, int samples, int64_t now_ms) {
  rtc::CopyOnWriteBuffer copy(payload.data(), payload.size());
  std::lock_guard<std::mutex> lock(mu_);
  newest_++;
  ring_[newest_ % kSize] = Packet{std::move(copy), samples};
  last_ms_ = now_ms;
}

uint64_t OpusPacketRing::newest() const {
  std::lock_guard<std::mutex> lock(mu_);
  return newest_;
}

bool OpusPacketRing::Get(uint64_t seq, Packet* out) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (seq == 0 || seq > newest_ || newest_ - seq >= kSize) return false;
  *out = ring_[seq % kSize];
  return true;
}

bool OpusPacketRing::Fresh(int64_t now_ms, int64_t window_ms) const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_ms_ >= 0 && now_ms - last_ms_ <= window_ms;
}

}  // namespace nlw
